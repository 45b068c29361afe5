"""Writes of the programme's records: targets, coaching sessions and attendance, licences, the
licences an outlet requires for a stall kind, and the check an application must pass.

Each write is one transaction and leaves a historical row, so the audit trail records it
(`core.audit`); none of them puts personal data in a message.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from outlets.choices import StallKind
from outlets.models import Outlet, Vendor
from outlets.models._base import NIB_MESSAGE, NIB_RE
from outlets.nik import city_today
from programme.choices import LicenceKind
from programme.models import Attendance, CoachingSession, Licence, LicenceRequirement, Target

SPP_IRT_YEARS = 5

FIELD_NOT_WRITABLE = _("This field cannot be set here.")
TARGET_EXISTS = _("This programme already has a target for that year.")
VENDORS_UNKNOWN = _("No vendor with id {ids}.")
VENDORS_REQUIRED = _("Name at least one vendor.")
NIB_NO_EXPIRY = _("An NIB does not expire; leave expires_on empty.")
SPP_IRT_EXPIRY = _("An SPP-IRT is valid five years: it expires on {day}.")
ISSUED_IN_FUTURE = _("The issue date cannot be in the future.")
EXPIRES_BEFORE_ISSUE = _("The expiry date cannot be before the issue date.")
NUMBER_FORMAT = _("Letters, digits, '.', '/' and '-' only, at most 40.")
NUMBER_TAKEN = _("A licence of this kind with this number is already recorded.")
REQUIREMENT_EXISTS = _("The outlet already requires this licence for this stall kind.")
LICENCE_MISSING = _(
    "Choice {rank}: the outlet requires a valid {licence} for {kind} stalls, and you have none "
    "recorded."
)
LICENCE_EXPIRED = _(
    "Choice {rank}: the outlet requires a valid {licence} for {kind} stalls, and yours expired on "
    "{day}."
)

_NUMBER = re.compile(r"^[0-9A-Za-z./-]{1,40}$")


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def target_create(*, user: AbstractBaseUser, data: dict[str, Any]) -> Target:
    target = Target(**data)
    target.full_clean(validate_unique=False, validate_constraints=False)
    _save_target(target, user)
    return target


@transaction.atomic
def target_update(*, target: Target, user: AbstractBaseUser, data: dict[str, Any]) -> Target:
    target = Target.objects.select_for_update().get(pk=target.pk)
    for field, value in data.items():
        setattr(target, field, value)
    target.full_clean(validate_unique=False, validate_constraints=False)
    _save_target(target, user)
    return target


def _save_target(target: Target, user) -> None:
    clash = Target.objects.filter(programme=target.programme, year=target.year)
    if target.pk:
        clash = clash.exclude(pk=target.pk)
    if clash.exists():
        raise ValidationError({"year": [TARGET_EXISTS]})
    target._history_user = user
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationError({"year": [TARGET_EXISTS]}) from None


def _vendor_ids(ids: list[int]) -> list[int]:
    if not ids:
        raise ValidationError({"vendors": [VENDORS_REQUIRED]})
    wanted = sorted(set(ids))
    found = set(Vendor.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {"vendors": [str(VENDORS_UNKNOWN).format(ids=", ".join(map(str, missing)))]}
        )
    return wanted


@transaction.atomic
def coaching_session_create(*, user: AbstractBaseUser, data: dict[str, Any]) -> CoachingSession:
    session = CoachingSession(created_by=user, **data)
    session.full_clean(exclude=["created_by"], validate_constraints=False)
    session._history_user = user
    session.save()
    return session


@transaction.atomic
def attendance_record(
    *, session: CoachingSession, user: AbstractBaseUser, vendor_ids: list[int]
) -> CoachingSession:
    """Record who attended a session; a vendor recorded already stays as she is."""
    session = CoachingSession.objects.select_for_update().get(pk=session.pk)
    wanted = _vendor_ids(vendor_ids)
    present = set(session.attendances.values_list("vendor_id", flat=True))
    for vendor_id in wanted:
        if vendor_id in present:
            continue
        attendance = Attendance(session=session, vendor_id=vendor_id, recorded_by=user)
        attendance._history_user = user
        attendance.save()
    return session


@transaction.atomic
def licence_create(*, user: AbstractBaseUser, data: dict[str, Any]) -> Licence:
    """Record a vendor's licence. An NIB's number is 13 digits and it does not expire; an
    SPP-IRT expires five years after its issue (derived when not given); a halal certificate
    may carry an expiry date."""
    unknown = sorted(set(data) - {"vendor", "kind", "number", "issuer", "issued_on", "expires_on"})
    if unknown:
        raise ValidationError({field: [FIELD_NOT_WRITABLE] for field in unknown})
    data = dict(data)
    errors: dict[str, list] = {}
    kind, number = data.get("kind"), (data.get("number") or "").strip()
    issued, expires = data.get("issued_on"), data.get("expires_on")
    if kind == LicenceKind.NIB:
        if not re.fullmatch(NIB_RE, number):
            errors["number"] = [NIB_MESSAGE]
        if expires is not None:
            errors["expires_on"] = [NIB_NO_EXPIRY]
    elif not _NUMBER.match(number):
        errors["number"] = [NUMBER_FORMAT]
    if issued is not None:
        if issued > city_today():
            errors["issued_on"] = [ISSUED_IN_FUTURE]
        if kind == LicenceKind.SPP_IRT:
            due = _plus_years(issued, SPP_IRT_YEARS)
            if expires is None:
                expires = due
            elif expires != due:
                errors["expires_on"] = [str(SPP_IRT_EXPIRY).format(day=due.isoformat())]
        if expires is not None and expires < issued and "expires_on" not in errors:
            errors["expires_on"] = [EXPIRES_BEFORE_ISSUE]
    if errors:
        raise ValidationError(errors)
    licence = Licence(
        vendor=data["vendor"],
        kind=kind,
        number=number,
        issuer=data.get("issuer", ""),
        issued_on=issued,
        expires_on=expires,
        recorded_by=user,
    )
    licence.full_clean(exclude=["vendor", "recorded_by"], validate_constraints=False)
    if Licence.objects.filter(kind=kind, number=number).exists():
        raise ValidationError({"number": [NUMBER_TAKEN]})
    licence._history_user = user
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError:
        raise ValidationError({"number": [NUMBER_TAKEN]}) from None
    return licence


@transaction.atomic
def licence_requirement_create(
    *, user: AbstractBaseUser, outlet: Outlet, stall_kind: str, licence_kind: str
) -> LicenceRequirement:
    """An outlet's manager requires a licence for a stall kind there."""
    from outlets.services import outlet_require_managed

    outlet_require_managed(user=user, outlet_ids=[outlet.pk])
    requirement = LicenceRequirement(
        outlet=outlet, stall_kind=stall_kind, licence_kind=licence_kind, created_by=user
    )
    requirement.full_clean(exclude=["outlet", "created_by"], validate_constraints=False)
    if LicenceRequirement.objects.filter(
        outlet=outlet, stall_kind=stall_kind, licence_kind=licence_kind
    ).exists():
        raise ValidationError({"licence_kind": [REQUIREMENT_EXISTS]})
    requirement._history_user = user
    requirement.save()
    return requirement


@transaction.atomic
def licence_requirement_delete(*, user: AbstractBaseUser, requirement: LicenceRequirement) -> None:
    from outlets.services import outlet_require_managed

    outlet_require_managed(user=user, outlet_ids=[requirement.outlet_id])
    requirement._history_user = user
    requirement.delete()


def check_licences(vendor: Vendor, choices: list[tuple[int, str]], *, day: date | None = None):
    """Refuse (400 on `choices`) an application whose ranked (outlet, stall kind) choices include
    one whose outlet requires a licence the vendor lacks or holds only expired on `day` (today
    in Depok by default); the message names the licence and the choice."""
    day = day or city_today()
    outlet_ids = sorted({outlet for outlet, _kind in choices})
    required: dict[tuple[int, str], list[str]] = {}
    for outlet_id, stall_kind, licence_kind in LicenceRequirement.objects.filter(
        outlet_id__in=outlet_ids
    ).values_list("outlet_id", "stall_kind", "licence_kind"):
        required.setdefault((outlet_id, stall_kind), []).append(licence_kind)
    if not required:
        return
    held: dict[str, list[Licence]] = {}
    for licence in Licence.objects.filter(vendor_id=vendor.pk, issued_on__lte=day):
        held.setdefault(licence.kind, []).append(licence)
    errors = []
    for rank, key in enumerate(choices, start=1):
        for kind in sorted(required.get(key, ())):
            mine = held.get(kind, [])
            if any(lic.expires_on is None or lic.expires_on >= day for lic in mine):
                continue
            label = LicenceKind(kind).label
            stall = StallKind(key[1]).label if key[1] in StallKind.values else key[1]
            if mine:
                last = max(lic.expires_on for lic in mine)
                message = str(LICENCE_EXPIRED).format(
                    rank=rank, licence=label, kind=stall, day=last.isoformat()
                )
            else:
                message = str(LICENCE_MISSING).format(rank=rank, licence=label, kind=stall)
            errors.append(message)
    if errors:
        raise ValidationError({"choices": errors})
