"""The role matrix's objects for outlet operations (#16), so that its rows reach real ones: a
warning to resolve, a renewal to approve (the vendor's lease) and one to refuse (a second
vendor's lease, on another stall), a waitlist offer to accept again and one to decline."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from operations.models import RenewalRequest, WaitlistOffer
from operations.services import enforcement
from outlets.nik import city_today
from outlets.services import lease_create_priced

# What the matrix's resolve row sends: the day after the warning (issued today).
RESOLVED_ON = (city_today() + timedelta(days=1)).isoformat()


def operations_world(*, manager, vendor, other, outlet, lease, applications) -> dict:
    """Ids for the rows; `applications` are two of the vendor's allocated applications."""
    today, now = city_today(), timezone.now()
    stalls = {stall.code: stall for stall in outlet.stalls.all()}
    warning = enforcement.warning_issue(
        lease=lease, user=manager, reason="not_trading", detail="Tutup (synthetic)",
        issued_on=today, deadline=today + timedelta(days=14),
    )  # fmt: skip
    other_lease = lease_create_priced(
        stall=stalls["K-02"], vendor=other, start=today, months=12, user=manager
    )
    accepted = WaitlistOffer.objects.create(
        application=applications[0], stall=stalls["K-02"], choice_rank=1, status="accepted",
        expires_at=now + timedelta(days=7), decided_at=now,
    )  # fmt: skip
    open_offer = WaitlistOffer.objects.create(
        application=applications[1], stall=stalls["B-01"], choice_rank=1,
        expires_at=now + timedelta(days=7),
    )  # fmt: skip
    return {
        "warning": warning.pk,
        "renewal": RenewalRequest.objects.create(
            lease=lease, months=1, requested_by=vendor.user
        ).pk,
        "other_lease": other_lease.pk,
        "other_renewal": RenewalRequest.objects.create(
            lease=other_lease, months=1, requested_by=other.user
        ).pk,
        "accepted_waitlist_offer": accepted.pk,
        "open_waitlist_offer": open_offer.pk,
    }
