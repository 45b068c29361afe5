"""Writes for outlets and their stalls, and who may make them (an outlet's own managers)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from assets_app.models import Asset, ReclassificationStatus
from assets_app.models import Status as AssetStatus
from core.errors import Conflict
from core.validation import field_errors
from outlets.models import (
    AllocationRound,
    Outlet,
    Stall,
)
from outlets.services._common import (
    FIELD_NOT_WRITABLE,
)

# Outlets and stalls
ASSET_UNKNOWN = _("No asset with this id.")
ASSET_NOT_DESIGNATED = _(
    "An outlet can only be opened on an asset designated for economic use "
    "(status designated_economic)."
)
ASSET_HAS_OUTLET = _("This asset already has an outlet.")
ASSET_NOT_RECLASSIFIED = _(
    "An outlet can only be opened on an asset whose reclassification for economic use was approved."
)
STALL_CODE_TAKEN = _("A stall with this code already exists in the outlet.")
STALL_CODE_REPEATED = _("This code is used by another stall in the same request.")
STALLS_EMPTY = _("Send at least one stall.")
OUTLETS_NOT_MANAGED = _("You do not manage outlet(s) {ids}; ask one of their managers.")


def outlet_require_managed(*, user: AbstractBaseUser, outlet_ids: list[int]) -> None:
    """PermissionDenied unless `user` manages every one of these outlets.

    Any outlet manager may read every outlet; only an outlet's own managers change it, its
    stalls, the rounds over it and the leases of its stalls.
    """
    wanted = set(outlet_ids)
    managed = set(
        Outlet.managers.through.objects.filter(user_id=user.pk, outlet_id__in=wanted).values_list(
            "outlet_id", flat=True
        )
    )
    missing = sorted(wanted - managed)
    if missing:
        raise PermissionDenied(
            str(OUTLETS_NOT_MANAGED).format(ids=", ".join(str(pk) for pk in missing))
        )


def require_round_managed(user: AbstractBaseUser, round_: AllocationRound) -> None:
    """PermissionDenied unless `user` manages every outlet of the round."""
    outlet_require_managed(user=user, outlet_ids=list(round_.outlets.values_list("pk", flat=True)))


@transaction.atomic
def outlet_create(
    *, user: AbstractBaseUser, asset_id: int, name: str, opening_hours: str = ""
) -> Outlet:
    """Open an outlet on an asset designated for economic use; the asset becomes `outlet`."""
    asset = Asset.objects.select_for_update().filter(pk=asset_id).first()
    if asset is None:
        raise ValidationError({"asset": [ASSET_UNKNOWN]})
    if Outlet.objects.filter(asset=asset).exists():
        raise Conflict(str(ASSET_HAS_OUTLET))
    if asset.status != AssetStatus.DESIGNATED_ECONOMIC:
        raise ValidationError({"asset": [ASSET_NOT_DESIGNATED]})
    # The status alone is not the decision: it must come from an approved reclassification
    # (four eyes), not from a row written past the register's rules.
    if not asset.reclassifications.filter(status=ReclassificationStatus.APPROVED).exists():
        raise ValidationError({"asset": [ASSET_NOT_RECLASSIFIED]})
    outlet = Outlet(asset=asset, name=name, opening_hours=opening_hours, manager=user)
    outlet.full_clean(validate_unique=False)
    outlet._history_user = user
    outlet.save()
    outlet.managers.add(user)  # whoever opens an outlet manages it
    asset.status = AssetStatus.OUTLET
    asset._history_user = user
    asset.save(update_fields=["status", "updated_at"])
    return outlet


@transaction.atomic
def outlet_update(*, outlet: Outlet, user: AbstractBaseUser, data: dict[str, Any]) -> Outlet:
    outlet_require_managed(user=user, outlet_ids=[outlet.pk])
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    unknown = sorted(set(data) - {"name", "opening_hours"})
    if unknown:
        raise ValidationError({field: [FIELD_NOT_WRITABLE] for field in unknown})
    for field, value in data.items():
        setattr(outlet, field, value)
    outlet.full_clean(validate_unique=False)
    outlet._history_user = user
    outlet.save()
    return outlet


STALL_FIELDS = ("code", "kind", "area_m2", "monthly_fee", "has_power", "has_water")


@transaction.atomic
def stalls_create(
    *, outlet: Outlet, user: AbstractBaseUser, items: list[dict[str, Any]], many: bool
) -> list[Stall]:
    """Add stalls to an outlet, all or nothing; with `many`, errors are keyed `<index>.<field>`."""
    outlet_require_managed(user=user, outlet_ids=[outlet.pk])
    if not items:
        raise ValidationError({"non_field_errors": [STALLS_EMPTY]})
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    taken = set(Stall.objects.filter(outlet=outlet).values_list("code", flat=True))
    seen: set[str] = set()
    errors: dict[str, list] = {}
    stalls = []
    for index, item in enumerate(items):
        prefix = f"{index}." if many else ""
        stall = Stall(outlet=outlet, **{k: v for k, v in item.items() if k in STALL_FIELDS})
        try:
            stall.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.update(field_errors(exc, prefix))
        if stall.code in taken:
            errors.setdefault(f"{prefix}code", []).append(STALL_CODE_TAKEN)
        elif stall.code in seen:
            errors.setdefault(f"{prefix}code", []).append(STALL_CODE_REPEATED)
        seen.add(stall.code)
        stalls.append(stall)
    if errors:
        raise ValidationError(errors)
    for stall in stalls:
        stall._history_user = user
        stall.save()
    return stalls
