"""Writes for warning letters (SP1 to SP3), termination for cause, and inspections.

SP1, SP2 and SP3 go out in order, each after the deadline of the one before passed; termination
follows an SP3 whose deadline passed, or comes at once for a stated serious breach. Each step is
a row with its history (and so the audit trail), and the vendor reads her own.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core.errors import Conflict
from operations.models import (
    Finding,
    Inspection,
    InspectionPhoto,
    Termination,
    TerminationGround,
    WarningLetter,
)
from operations.services._common import lease_state, require_lease_managed, today_or
from outlets.managers import IN_FORCE
from outlets.models import Lease, Stall
from outlets.services import lease_terminate, outlet_require_managed

LEASE_NOT_IN_FORCE = _("This lease is not in force.")
WARNING_LEVEL_ORDER = _("The next warning letter for this lease is SP{level}.")
WARNING_TOO_EARLY = _("SP{level} may follow only after the deadline of SP{previous} ({deadline}).")
WARNINGS_DONE = _("This lease already has its SP3.")
DEADLINE_AFTER_ISSUE = _("The deadline must come after the day the letter is issued.")
NEEDS_SP3 = _("Termination after warnings needs an SP3 whose deadline has passed.")
REASON_REQUIRED = _("Give the reason.")
ALREADY_RESOLVED = _("This warning is already resolved.")
PHOTO_NOT_IMAGE = _("Each photo must be a JPEG or PNG image.")
PHOTOS_TOO_MANY = _("At most 5 photos per visit.")
PHOTO_TOO_LARGE = _("A photo may be at most 5 MB.")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTOS_MAX = 5


def _locked_lease(lease: Lease) -> Lease:
    return Lease.objects.select_for_update().select_related("stall").get(pk=lease.pk)


@transaction.atomic
def warning_issue(
    *,
    lease: Lease,
    user: AbstractBaseUser,
    reason: str,
    detail: str,
    issued_on: date,
    deadline: date,
) -> WarningLetter:
    """The lease's next warning letter: SP1, then SP2, then SP3."""
    lease = _locked_lease(lease)
    require_lease_managed(user, lease)
    if lease_state(lease, issued_on) not in IN_FORCE:
        raise Conflict(str(LEASE_NOT_IN_FORCE))
    if deadline <= issued_on:
        raise ValidationError({"deadline": [DEADLINE_AFTER_ISSUE]})
    previous = WarningLetter.objects.filter(lease=lease).order_by("-level").first()
    level = previous.level + 1 if previous else 1
    if level > 3:
        raise Conflict(str(WARNINGS_DONE))
    if previous is not None and issued_on <= previous.deadline:
        raise ValidationError(
            {
                "issued_on": [
                    str(WARNING_TOO_EARLY).format(
                        level=level, previous=previous.level, deadline=previous.deadline
                    )
                ]
            }
        )
    letter = WarningLetter(
        lease=lease,
        level=level,
        reason=reason,
        detail=(detail or "").strip(),
        issued_on=issued_on,
        deadline=deadline,
        issued_by=user,
    )
    letter.full_clean(validate_unique=False, validate_constraints=False)
    letter._history_user = user
    letter.save()
    return letter


@transaction.atomic
def warning_resolve(*, warning: WarningLetter, user: AbstractBaseUser, on: date) -> WarningLetter:
    """The vendor put it right: the warning is no longer open (the letters stay in order)."""
    warning = (
        WarningLetter.objects.select_for_update().select_related("lease__stall").get(pk=warning.pk)
    )
    require_lease_managed(user, warning.lease)
    if warning.resolved_on is not None:
        raise Conflict(str(ALREADY_RESOLVED))
    warning.resolved_on = on
    warning._history_user = user
    warning.save(update_fields=["resolved_on"])
    return warning


def lease_terminate_for_cause(
    *,
    lease: Lease,
    user: AbstractBaseUser,
    ground: str,
    reason: str,
    on: date | None = None,
) -> Termination:
    """End a lease for cause: after an SP3 whose deadline passed, or at once for a serious
    breach; the stall becomes vacant and, while the round's waitlist is open, is offered on."""
    from operations.services.waitlist import waitlist_refill

    on = today_or(on)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    if ground not in TerminationGround.values:
        raise ValidationError({"ground": [REASON_REQUIRED]})
    with transaction.atomic():
        locked = _locked_lease(lease)
        require_lease_managed(user, locked)
        if ground == TerminationGround.AFTER_SP3:
            sp3 = WarningLetter.objects.filter(lease=locked, level=3).first()
            if sp3 is None or sp3.deadline >= on:
                raise Conflict(str(NEEDS_SP3))
        ended = lease_terminate(lease=locked, user=user, reason=reason)
        termination = Termination(
            lease=ended, ground=ground, reason=reason, terminated_on=on, terminated_by=user
        )
        termination._history_user = user
        termination.save()
        stall_id = ended.stall_id
    waitlist_refill(stall_ids=[stall_id], today=on, user=user)
    return termination


def _check_photo(photo) -> None:
    if getattr(photo, "size", 0) > PHOTO_MAX_BYTES:
        raise ValidationError({"photos": [PHOTO_TOO_LARGE]})
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            if image.format not in ("JPEG", "PNG"):
                raise ValidationError({"photos": [PHOTO_NOT_IMAGE]})
            width, height = image.size
            if width * height > PHOTO_MAX_PIXELS:
                raise ValidationError({"photos": [PHOTO_NOT_IMAGE]})
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError({"photos": [PHOTO_NOT_IMAGE]}) from None
    photo.seek(0)


@transaction.atomic
def inspection_record(
    *,
    stall: Stall,
    user: AbstractBaseUser,
    visited_on: date,
    finding: str,
    note: str = "",
    photos: list | None = None,
) -> Inspection:
    """A visit to a stall, what was found and up to five photos (JPEG or PNG, checked)."""
    outlet_require_managed(user=user, outlet_ids=[stall.outlet_id])
    photos = list(photos or [])
    if len(photos) > PHOTOS_MAX:
        raise ValidationError({"photos": [PHOTOS_TOO_MANY]})
    for photo in photos:
        _check_photo(photo)
    lease = (
        Lease.objects.filter(
            stall=stall, status__in=[*IN_FORCE], start_date__lte=visited_on,
            end_date__gt=visited_on,
        )
        .order_by("-start_date")
        .first()
    )  # fmt: skip
    if finding not in Finding.values:
        raise ValidationError({"finding": [PHOTO_NOT_IMAGE]})
    inspection = Inspection(
        stall=stall,
        lease=lease,
        visited_on=visited_on,
        finding=finding,
        note=(note or "").strip(),
        inspector=user,
    )
    inspection.full_clean(validate_unique=False, validate_constraints=False)
    inspection._history_user = user
    inspection.save()
    for photo in photos:
        InspectionPhoto.objects.create(inspection=inspection, image=photo)
    return inspection
