"""Which agency an officer writes for, and the register numbers agencies keep.

An asset officer belongs to one agency (`OfficerProfile`). An officer of a user agency writes
only that agency's assets (another agency's asset is readable, but a write is a 403); officers
of the managing agency write every asset. Writes without a user (migrations, fixtures,
management commands) and superusers are not scoped.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from assets_app.models import Agency, AgencyKind, Asset, OfficerProfile

NO_AGENCY = _("Your account belongs to no agency; ask an administrator to assign one.")
OTHER_AGENCY = _("This asset belongs to agency {agency}; you write only {own}'s assets.")
NO_MANAGING_AGENCY = _("No managing agency is set up.")
NO_OUTLETS_AGENCY = _("No agency is set up to run the outlets.")


def managing_agency() -> Agency:
    agency = Agency.objects.filter(kind=AgencyKind.MANAGING).order_by("code").first()
    if agency is None:
        raise PermissionDenied(str(NO_MANAGING_AGENCY))
    return agency


def outlets_agency() -> Agency | None:
    return Agency.objects.filter(runs_outlets=True).first()


def officer_agency(user: AbstractBaseUser | None) -> Agency | None:
    """The agency of `user`'s officer profile, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_officer_agency", False)
    if cached is not False:
        return cached
    profile = OfficerProfile.objects.select_related("agency").filter(user=user).first()
    user._officer_agency = profile.agency if profile else None
    return user._officer_agency


def unscoped(user: AbstractBaseUser | None) -> bool:
    return user is None or bool(getattr(user, "is_superuser", False))


def writes_all(user: AbstractBaseUser | None) -> bool:
    """Whether `user` may write every agency's assets (managing agency, or unscoped)."""
    if unscoped(user):
        return True
    agency = officer_agency(user)
    return agency is not None and agency.kind == AgencyKind.MANAGING


def agency_write_check(user: AbstractBaseUser | None, agency_code: str | None) -> None:
    """Raise PermissionDenied unless `user` may write an asset held by `agency_code`."""
    if writes_all(user):
        return
    own = officer_agency(user)
    if own is None:
        raise PermissionDenied(str(NO_AGENCY))
    if agency_code != own.code:
        raise PermissionDenied(str(OTHER_AGENCY).format(agency=agency_code, own=own.code))


def default_agency_code(user: AbstractBaseUser | None) -> str:
    """The custodian of an asset registered without one: the officer's own agency, else the
    managing agency."""
    own = officer_agency(user)
    return own.code if own is not None else managing_agency().code


def register_key(asset: Asset) -> tuple | None:
    """What the register number counts within, or None when the asset is not numbered yet."""
    if not asset.custodian_agency_id or not asset.item_code:
        return None
    return (asset.custodian_agency_id, asset.item_code, asset.acquisition_year)


def next_register_numbers(keys: list[tuple]) -> dict[tuple, int]:
    """The last register number used for each key (0 if none). The caller holds the agencies'
    rows locked (`Agency.objects.select_for_update()`), so two writers do not both take it."""
    out: dict[tuple, int] = {}
    for agency, code, year in set(keys):
        last = Asset.objects.filter(
            custodian_agency_id=agency, item_code=code, acquisition_year=year
        ).aggregate(n=Max("register_number"))["n"]
        out[(agency, code, year)] = last or 0
    return out


def asset_number(asset: Asset) -> None:
    """Give `asset` (not saved) the next register number of its key, or none without a key.
    Locks its agency's row for the rest of the transaction."""
    key = register_key(asset)
    if key is None:
        asset.register_number = None
        return
    Agency.objects.select_for_update().filter(code=key[0]).first()
    last = next_register_numbers([key])[key]
    asset.register_number = last + 1


def assets_number_missing(queryset) -> int:
    """Give the assets of `queryset` that have a key but no register number theirs, in id
    order within each key (an import's rows, in the file's order). Returns how many."""
    todo = list(
        queryset.filter(register_number__isnull=True)
        .exclude(custodian_agency__isnull=True)
        .exclude(item_code="")
        .order_by("id")
        .only("id", "custodian_agency_id", "item_code", "acquisition_year")
    )
    if not todo:
        return 0
    keys = [register_key(a) for a in todo]
    list(Agency.objects.select_for_update().filter(code__in={k[0] for k in keys}))
    last = next_register_numbers(keys)
    for asset, key in zip(todo, keys, strict=True):
        last[key] += 1
        asset.register_number = last[key]
    Asset.objects.bulk_update(todo, ["register_number"], batch_size=1000)
    return len(todo)
