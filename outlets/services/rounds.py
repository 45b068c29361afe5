"""Writes for allocation rounds (create, open, close) and vendors' applications to them.

A round is locked FOR UPDATE to change its status and FOR SHARE (on PostgreSQL) while a vendor
applies, so no application lands after the round closed."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from outlets.models import (
    AllocationRound,
    Application,
    ApplicationChoice,
    ApplicationStatus,
    Outlet,
    RoundStatus,
    Stall,
    StallKind,
    Vendor,
)
from outlets.services._common import (
    seed_commitment,
)
from outlets.services.outlet_stalls import outlet_require_managed, require_round_managed
from outlets.services.vendors import vendor_for_user
from programme.services import check_licences

# Rounds
OUTLETS_REQUIRED = _("Choose at least one outlet.")
OUTLETS_UNKNOWN = _("Unknown outlet id(s): {ids}.")
CLOSES_BEFORE_OPENS = _("closes_at must be after opens_at.")
ROUND_NOT_DRAFT = _("Only a draft round can be opened.")
ROUND_NOT_OPEN = _("The round is not open for applications.")
ROUND_NOT_CLOSED = _("Only a closed round can be allocated.")
ROUND_ALREADY_ALLOCATED = _("This round has already been allocated.")
ROUND_DEADLINE_PASSED = _("The round's closing time has passed.")

# Applications
CHOICES_REQUIRED = _("Give at least one choice.")
CHOICES_TOO_MANY = _("At most {max_choices} choices are allowed in this round.")
CHOICE_REPEATED = _("Choice {rank} repeats an earlier choice; choices must be distinct.")
CHOICE_NOT_IN_ROUND = _(
    "Choice {rank} is not a group of this round (an outlet of the round "
    "with at least one stall of that kind)."
)
APPLICATION_EXISTS = _("You already have an application in this round.")
APPLICATION_NOT_SUBMITTED = _("Only a submitted application can be changed or withdrawn.")


ROUND_FIELDS = (
    "name", "opens_at", "closes_at", "acceptance_days", "lease_months", "women_reserve_share",
    "category_cap", "max_choices", "objection_days", "appeal_days", "decline_penalty",
)  # fmt: skip


@transaction.atomic
def round_create(*, user: AbstractBaseUser, data: dict[str, Any]) -> AllocationRound:
    """A draft round over `data["outlets"]` (ids) with the published parameters."""
    outlet_ids = sorted(set(data.get("outlets") or []))
    errors: dict[str, list] = {}
    outlets = list(Outlet.objects.filter(pk__in=outlet_ids))
    if not outlet_ids:
        errors["outlets"] = [OUTLETS_REQUIRED]
    elif len(outlets) != len(outlet_ids):
        missing = sorted(set(outlet_ids) - {o.pk for o in outlets})
        errors["outlets"] = [str(OUTLETS_UNKNOWN).format(ids=", ".join(map(str, missing)))]
    round_ = AllocationRound(created_by=user, **{k: data[k] for k in ROUND_FIELDS if k in data})
    try:
        round_.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        isinstance(round_.opens_at, datetime)
        and isinstance(round_.closes_at, datetime)
        and round_.closes_at <= round_.opens_at
    ):
        errors.setdefault("closes_at", []).append(CLOSES_BEFORE_OPENS)
    if errors:
        raise ValidationError(errors)
    outlet_require_managed(user=user, outlet_ids=outlet_ids)
    round_._history_user = user
    round_.save()
    round_.outlets.set(outlets)
    return round_


def locked_round(round_id: int) -> AllocationRound:
    return AllocationRound.objects.select_for_update().get(pk=round_id)


@transaction.atomic
def round_open(*, round_: AllocationRound, user: AbstractBaseUser) -> AllocationRound:
    """Open a draft round: draw the seed now, publish only its SHA-256 commitment."""
    round_ = locked_round(round_.pk)
    require_round_managed(user, round_)
    if round_.status != RoundStatus.DRAFT:
        raise Conflict(str(ROUND_NOT_DRAFT))
    round_.seed = secrets.token_hex(32)
    round_.seed_commitment = seed_commitment(round_.seed)
    round_.status = RoundStatus.OPEN
    round_.opened_at = timezone.now()
    round_._history_user = user
    round_.save()
    return round_


@transaction.atomic
def round_close(*, round_: AllocationRound, user: AbstractBaseUser) -> AllocationRound:
    round_ = locked_round(round_.pk)
    require_round_managed(user, round_)
    if round_.status != RoundStatus.OPEN:
        raise Conflict(str(ROUND_NOT_OPEN))
    round_.status = RoundStatus.CLOSED
    round_.closed_at = timezone.now()
    round_._history_user = user
    round_.save()
    return round_


def _validated_choices(round_: AllocationRound, choices: list[dict]) -> list[tuple[int, str]]:
    if not choices:
        raise ValidationError({"choices": [CHOICES_REQUIRED]})
    if len(choices) > round_.max_choices:
        raise ValidationError(
            {"choices": [str(CHOICES_TOO_MANY).format(max_choices=round_.max_choices)]}
        )
    groups = set(
        Stall.objects.filter(outlet__in=round_.outlets.all())
        .values_list("outlet_id", "kind")
        .distinct()
    )
    keys: list[tuple[int, str]] = []
    for rank, choice in enumerate(choices, start=1):
        key = (choice["outlet"], choice["stall_kind"])
        if key in keys:
            raise ValidationError({"choices": [str(CHOICE_REPEATED).format(rank=rank)]})
        if key not in groups or key[1] not in StallKind.values:
            raise ValidationError({"choices": [str(CHOICE_NOT_IN_ROUND).format(rank=rank)]})
        keys.append(key)
    return keys


def _round_shared(round_id: int) -> AllocationRound:
    """The round, locked against closing and allocating but not against other applications.

    On PostgreSQL a FOR SHARE row lock: vendors' applications run side by side, and
    `round_close`/`round_allocate` (FOR UPDATE) wait until those in flight commit, so none lands
    after the round closed. SQLite serialises writers itself.
    """
    if connection.vendor != "postgresql":
        return AllocationRound.objects.get(pk=round_id)
    table = connection.ops.quote_name(AllocationRound._meta.db_table)
    found = list(
        AllocationRound.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [round_id])
    )
    if not found:
        raise AllocationRound.DoesNotExist
    return found[0]


def _round_accepting(round_id: int) -> AllocationRound:
    round_ = _round_shared(round_id)
    if round_.status != RoundStatus.OPEN:
        raise Conflict(str(ROUND_NOT_OPEN))
    if timezone.now() >= round_.closes_at:
        raise Conflict(str(ROUND_DEADLINE_PASSED))
    return round_


def _save_choices(application: Application, keys: list[tuple[int, str]]) -> None:
    ApplicationChoice.objects.bulk_create(
        [
            ApplicationChoice(application=application, rank=rank, outlet_id=o, stall_kind=k)
            for rank, (o, k) in enumerate(keys, start=1)
        ]
    )


@transaction.atomic
def application_create(
    *, round_: AllocationRound, user: AbstractBaseUser, choices: list[dict]
) -> Application:
    """A vendor's application to an open round: ranked distinct groups of the round."""
    vendor = vendor_for_user(user)
    round_ = _round_accepting(round_.pk)
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    keys = _validated_choices(round_, choices)
    check_licences(vendor, keys)  # an outlet's required licences (issue 20)
    if Application.objects.live().filter(round=round_, vendor=vendor).exists():
        raise Conflict(str(APPLICATION_EXISTS))
    application = Application.objects.create(round=round_, vendor=vendor)
    _save_choices(application, keys)
    return application


def _locked_application(application: Application) -> tuple[Application, AllocationRound]:
    round_ = _round_accepting(application.round_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(str(APPLICATION_NOT_SUBMITTED))
    return application, round_


@transaction.atomic
def application_update(
    *, application: Application, user: AbstractBaseUser, choices: list[dict]
) -> Application:
    """Replace the choices of a submitted application while the round is open."""
    application, round_ = _locked_application(application)
    keys = _validated_choices(round_, choices)
    check_licences(application.vendor, keys)  # an outlet's required licences (issue 20)
    application.choices.all().delete()
    _save_choices(application, keys)
    application.save(update_fields=["updated_at"])
    return application


@transaction.atomic
def application_withdraw(*, application: Application, user: AbstractBaseUser) -> Application:
    application, _round = _locked_application(application)
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return application
