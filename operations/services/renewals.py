"""Writes for renewal requests: a vendor in good standing asks in the last 90 days of her lease;
a manager of the outlet approves (a new lease, signed now, starting when the old one ends,
priced at the tariff in force then, at most five years) or refuses with a reason.

Good standing: no bill more than 30 days late and no open warning letter. Two managers
approving at once make one lease: the request is locked and decided once (and a unique
constraint allows one approved request per lease).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from operations.models import RenewalRequest, RenewalStatus, WarningLetter
from operations.services._common import lease_state, require_lease_managed, today_or
from operations.services.billing import lease_account
from outlets.models import Lease, LeaseStatus, Stall
from outlets.models._base import LEASE_MONTHS_MAX
from outlets.services import lease_create_priced

RENEWAL_WINDOW_DAYS = 90
LATE_DAYS_ALLOWED = 30

NOT_YOUR_LEASE = _("This is not your lease.")
NOT_IN_WINDOW = _("A renewal may be asked for in the last 90 days of an active lease.")
HAS_ARREARS = _("A bill is more than 30 days late: pay it before asking to renew.")
HAS_WARNING = _("An open warning letter stands: a renewal needs good standing.")
REQUEST_PENDING = _("A renewal request for this lease is already pending.")
ALREADY_RENEWED = _("This lease is already renewed.")
ALREADY_DECIDED = _("This renewal request is already decided.")
MONTHS_RANGE = _("A lease runs from 1 to 60 months (PP 27/2014 art. 29).")
REASON_REQUIRED = _("Give the reason for refusing.")


def good_standing_problem(lease: Lease, on: date):
    """Why the vendor is not in good standing on `on`, or None."""
    if lease_account(lease=lease, on=on).oldest_days_late > LATE_DAYS_ALLOWED:
        return HAS_ARREARS
    if WarningLetter.objects.filter(lease=lease, resolved_on__isnull=True).exists():
        return HAS_WARNING
    return None


def renewal_request(
    *, lease: Lease, user: AbstractBaseUser, months: int, on: date | None = None
) -> RenewalRequest:
    on = today_or(on)
    if not 1 <= months <= LEASE_MONTHS_MAX:
        raise ValidationError({"months": [MONTHS_RANGE]})
    with transaction.atomic():
        lease = Lease.objects.select_for_update().select_related("vendor").get(pk=lease.pk)
        if lease.vendor.user_id != user.pk:
            raise PermissionDenied(str(NOT_YOUR_LEASE))
        window_opens = lease.end_date - timedelta(days=RENEWAL_WINDOW_DAYS)
        if lease_state(lease, on) != LeaseStatus.ACTIVE or not window_opens <= on:
            raise Conflict(str(NOT_IN_WINDOW))
        if Lease.objects.filter(renewal_of=lease).exists():
            raise Conflict(str(ALREADY_RENEWED))
        if RenewalRequest.objects.filter(lease=lease, status=RenewalStatus.PENDING).exists():
            raise Conflict(str(REQUEST_PENDING))
        problem = good_standing_problem(lease, on)
        if problem is not None:
            raise Conflict(str(problem))
        request = RenewalRequest(lease=lease, months=months, requested_by=user)
        request._history_user = user
        request.save()
    return request


def _locked_request(request: RenewalRequest, user: AbstractBaseUser) -> RenewalRequest:
    request = RenewalRequest.objects.select_for_update().get(pk=request.pk)
    lease = Lease.objects.select_for_update().select_related("stall").get(pk=request.lease_id)
    require_lease_managed(user, lease)
    request.lease = lease
    return request


def renewal_approve(
    *, request: RenewalRequest, user: AbstractBaseUser, on: date | None = None
) -> RenewalRequest:
    """A new lease (status `signed`) from the old one's end date, for the months asked."""
    on = today_or(on)
    try:
        with transaction.atomic():
            request = _locked_request(request, user)
            if request.status == RenewalStatus.APPROVED:
                return request
            if request.status != RenewalStatus.PENDING:
                raise Conflict(str(ALREADY_DECIDED))
            old = request.lease
            if lease_state(old, on) != LeaseStatus.ACTIVE:
                raise Conflict(str(NOT_IN_WINDOW))
            problem = good_standing_problem(old, on)
            if problem is not None:
                raise Conflict(str(problem))
            stall = Stall.objects.select_for_update().get(pk=old.stall_id)
            new = lease_create_priced(
                stall=stall, vendor=old.vendor, start=old.end_date, months=request.months,
                user=user, renewal_of=old, status=LeaseStatus.SIGNED,
            )  # fmt: skip
            request.status = RenewalStatus.APPROVED
            request.decided_by = user
            request.decided_at = timezone.now()
            request.new_lease = new
            request._history_user = user
            request.save()
            return request
    except IntegrityError:
        # A second approval raced past the lock (cannot on PostgreSQL; kept for safety).
        raise Conflict(str(ALREADY_DECIDED)) from None


@transaction.atomic
def renewal_refuse(*, request: RenewalRequest, user: AbstractBaseUser, reason: str):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    request = _locked_request(request, user)
    if request.status != RenewalStatus.PENDING:
        raise Conflict(str(ALREADY_DECIDED))
    request.status = RenewalStatus.REFUSED
    request.refusal_reason = reason
    request.decided_by = user
    request.decided_at = timezone.now()
    request._history_user = user
    request.save()
    return request
