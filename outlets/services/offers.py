"""Writes for offers and leases: accept, decline, the expiry of offers past their time,
terminating a lease, and writing down leases whose dates have moved them on.

A lease reads as ended from its end date and as active from its start date whatever is stored
(`outlets.managers.lease_state`); `leases_write_down` (run by `run_daily`, and by an accept
for the vendor and stall it touches) stores what readers already see.

An offer past its `expires_at` already reads as expired (`Offer.effective_status`); writing
that down and freeing its stall is `offers_expire_due`'s job, run by `manage.py expire_offers`,
and an accept or decline that finds the offer lapsed under its lock writes it too. Locks: the
offer or lease, then its stall.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from outlets.managers import IN_FORCE, lease_status_on
from outlets.models import (
    Application,
    Lease,
    LeaseStatus,
    Offer,
    OfferStatus,
    Stall,
    StallStatus,
    Vendor,
)
from outlets.services._common import add_months
from outlets.services.outlet_stalls import outlet_require_managed

logger = logging.getLogger(__name__)

OFFER_EXPIRED = _("This offer has expired.")
OFFER_NOT_OPEN = _("This offer is no longer open.")
VENDOR_HAS_LEASE = _("You already hold an active lease; a vendor may lease one stall only.")
STALL_ALREADY_LEASED = _("This stall already has an active lease.")
LEASE_NOT_ACTIVE = _("Only an active lease can be terminated.")
REASON_REQUIRED = _("Give the reason for terminating the lease.")


def _log_offer(event: str, offer: Offer, **fields) -> None:
    """One line per offer transition, once it is committed (ids only, no personal data)."""
    extra = {
        "event": event,
        "offer_id": offer.pk,
        "stall_id": offer.stall_id,
        "application_id": offer.application_id,
        **fields,
    }
    transaction.on_commit(
        lambda: logger.info("offer %s", event.removeprefix("offer_"), extra=extra)
    )


def _free_stall(stall: Stall, user: AbstractBaseUser | None) -> None:
    stall.status = StallStatus.VACANT
    stall._history_user = user
    stall.save(update_fields=["status", "updated_at"])


def _expire(offer: Offer, stall: Stall, *, user: AbstractBaseUser | None) -> None:
    """Write down a lapsed offer: it was decided by its deadline, whoever noticed it later."""
    offer.status = OfferStatus.EXPIRED
    offer.decided_at = offer.expires_at
    offer._history_user = user
    offer.save(update_fields=["status", "decided_at"])
    if stall.status == StallStatus.OFFERED:
        _free_stall(stall, user)
    _log_offer("offer_expired", offer)


def offers_expire_due(
    *, now: datetime | None = None, vendor: Vendor | int | None = None, user=None
) -> int:
    """Write down the expiry of every open offer past its `expires_at` (of one vendor, if given)
    and free the stalls. Readers see them expired already; this keeps the rows in step.

    Finding none (the usual case) takes one read and no transaction; the offers found are
    locked and checked again before they are expired.
    """
    now = now or timezone.now()
    due = Offer.objects.due(now)
    if vendor is not None:
        due = due.filter(application__vendor=vendor)
    ids = list(due.values_list("pk", flat=True).order_by("pk"))
    if not ids:
        return 0
    with transaction.atomic():
        # Checked again under the lock: another request may have decided one meanwhile.
        offers = list(Offer.objects.due(now).select_for_update().filter(pk__in=ids).order_by("pk"))
        stalls = {
            s.pk: s
            for s in Stall.objects.select_for_update()
            .filter(pk__in=[o.stall_id for o in offers])
            .order_by("pk")
        }
        for offer in offers:
            _expire(offer, stalls[offer.stall_id], user=user)
    return len(offers)


def _locked_offer(offer: Offer) -> tuple[Offer, Stall]:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    stall = Stall.objects.select_for_update().get(pk=offer.stall_id)
    return offer, stall


Decision = Callable[[Offer, Stall, datetime], None]


def _decide(offer: Offer, user: AbstractBaseUser, *, done: str, decide: Decision) -> Offer:
    """Lock the offer and its stall, then apply `decide` to an offer still open in time.

    An offer already `done` (accepted again, declined again) is answered as it is. One found past
    its time is expired, its stall freed, and that is committed before the 409, so the expiry is
    kept although the request fails. Any other status is a 409.
    """
    with transaction.atomic():
        offer, stall = _locked_offer(offer)
        if offer.status == done:
            return offer
        now = timezone.now()
        lapsed = offer.is_due(now)
        if lapsed:
            _expire(offer, stall, user=user)
        elif offer.status != OfferStatus.OPEN:
            raise Conflict(
                str(OFFER_EXPIRED if offer.status == OfferStatus.EXPIRED else OFFER_NOT_OPEN)
            )
        else:
            decide(offer, stall, now)
            offer.decided_at = now
            offer._history_user = user
            offer.save(update_fields=["status", "decided_at"])
            stall._history_user = user
            stall.save(update_fields=["status", "updated_at"])
            return offer
    raise Conflict(str(OFFER_EXPIRED))


def leases_write_down(
    *,
    today: date,
    vendor: Vendor | None = None,
    stall: Stall | None = None,
    user: AbstractBaseUser | None = None,
) -> tuple[int, int]:
    """Store what the calendar did to leases by `today` (of one vendor or stall, if given): a
    lease past its end date ended (renewed, when a renewal follows it), its stall vacant unless
    another lease holds it; a signed lease whose start came, active. Returns (ended, started).

    Locks the leases (by primary key), then their stalls."""
    due = Lease.objects.filter(
        Q(status__in=IN_FORCE, end_date__lte=today)
        | Q(status=LeaseStatus.SIGNED, start_date__lte=today)
    )
    if vendor is not None or stall is not None:
        scope = Q()
        if vendor is not None:
            scope |= Q(vendor=vendor)
        if stall is not None:
            scope |= Q(stall=stall)
        due = due.filter(scope)
    ids = list(due.values_list("pk", flat=True).order_by("pk"))
    if not ids:
        return 0, 0
    ended = started = 0
    with transaction.atomic():
        leases = list(Lease.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        stalls = {
            s.pk: s
            for s in Stall.objects.select_for_update()
            .filter(pk__in={lease.stall_id for lease in leases})
            .order_by("pk")
        }
        # Ends first: the renewal that starts the same day takes the place the old one leaves.
        for lease in sorted(leases, key=lambda x: x.status != LeaseStatus.ACTIVE):
            state = lease_status_on(lease, today)
            if state in (LeaseStatus.ENDED, LeaseStatus.RENEWED):
                lease.status = state
                ended += 1
            elif state == LeaseStatus.ACTIVE and lease.status == LeaseStatus.SIGNED:
                lease.status = LeaseStatus.ACTIVE
                started += 1
            else:
                continue
            lease._history_user = user
            lease.save(update_fields=["status"])
        for stall_ in stalls.values():
            held = Lease.objects.filter(
                stall=stall_, status__in=IN_FORCE, end_date__gt=today
            ).exists()
            if stall_.status == StallStatus.LEASED and not held:
                _free_stall(stall_, user)
    return ended, started


def offer_accept(*, offer: Offer, user: AbstractBaseUser) -> Offer:
    """Accept an offer: a lease for the round's lease months, priced by the tariff in force
    (`operations.services.pricing.quote`; the stall's fee where the outlet has no tariff).

    Accepting again answers with the same lease; an offer past its time is a 409 (and expired).
    """
    # A lease of hers or of the stall that ran out is written down first, so it blocks nothing.
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    application = Application.objects.select_related("vendor").get(pk=offer.application_id)
    leases_write_down(today=today, vendor=application.vendor, stall=offer.stall, user=user)

    def accept(offer: Offer, stall: Stall, now: datetime) -> None:
        application = Application.objects.select_related("round", "vendor").get(
            pk=offer.application_id
        )
        vendor = application.vendor
        if Lease.objects.filter(vendor=vendor, status=LeaseStatus.ACTIVE).exists():
            raise Conflict(str(VENDOR_HAS_LEASE))
        if Lease.objects.filter(stall=stall, status=LeaseStatus.ACTIVE).exists():
            raise Conflict(str(STALL_ALREADY_LEASED))
        # The lease starts on the city's date, whatever zone the request is served in.
        start = timezone.localdate(now, timezone.get_default_timezone())
        lease = lease_create_priced(
            stall=stall, vendor=vendor, start=start, months=application.round.lease_months,
            user=user, offer=offer,
        )  # fmt: skip
        offer.status = OfferStatus.ACCEPTED
        stall.status = StallStatus.LEASED
        _log_offer("offer_accepted", offer, lease_id=lease.pk)

    return _decide(offer, user, done=OfferStatus.ACCEPTED, decide=accept)


def lease_create_priced(
    *,
    stall: Stall,
    vendor: Vendor,
    start: date,
    months: int,
    user: AbstractBaseUser,
    offer: Offer | None = None,
    renewal_of: Lease | None = None,
    status: str = LeaseStatus.ACTIVE,
) -> Lease:
    """A lease of `months` from `start`, priced by the tariff in force on `start`, with its
    pricing (rate, factors, formula) stored beside it. Runs inside the caller's transaction."""
    from operations.services.pricing import lease_pricing_record, quote

    price = quote(stall=stall, day=start)
    lease = Lease(
        offer=offer,
        renewal_of=renewal_of,
        stall=stall,
        vendor=vendor,
        start_date=start,
        end_date=add_months(start, months),
        monthly_fee=price.monthly_amount,
        status=status,
    )
    lease.full_clean(validate_unique=False, validate_constraints=False)
    lease._history_user = user
    lease.save()
    lease_pricing_record(lease=lease, price=price, months=months)
    return lease


def offer_decline(*, offer: Offer, user: AbstractBaseUser) -> Offer:
    """Decline an open offer; the stall is vacant again (for a follow-up round)."""

    def decline(offer: Offer, stall: Stall, now: datetime) -> None:
        offer.status = OfferStatus.DECLINED
        stall.status = StallStatus.VACANT
        _log_offer("offer_declined", offer)

    return _decide(offer, user, done=OfferStatus.DECLINED, decide=decline)


@transaction.atomic
def lease_terminate(
    *, lease: Lease, user: AbstractBaseUser | None, reason: str, require_managed: bool = True
) -> Lease:
    """End an active lease early, with the reason; the stall becomes vacant (unless a renewal
    holds it). `require_managed=False` is for the waitlist, which releases a lease its vendor
    gave up for a better stall."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    stall = Stall.objects.select_for_update().get(pk=lease.stall_id)
    if require_managed:
        outlet_require_managed(user=user, outlet_ids=[stall.outlet_id])
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    # What readers see decides: a lease past its end date has ended and cannot be terminated.
    if lease_status_on(lease, today) not in IN_FORCE:
        raise Conflict(str(LEASE_NOT_ACTIVE))
    lease.status = LeaseStatus.TERMINATED
    lease.termination_reason = reason.strip()
    lease.terminated_at = timezone.now()
    lease.terminated_by = user
    lease._history_user = user
    lease.save()
    other = Lease.objects.filter(stall=stall, status__in=IN_FORCE, end_date__gt=today)
    if not other.exists():
        _free_stall(stall, user)
    extra = {"event": "lease_terminated", "lease_id": lease.pk, "stall_id": stall.pk}
    transaction.on_commit(lambda: logger.info("lease terminated", extra=extra))
    return lease
