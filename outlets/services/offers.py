"""Writes for offers and leases: accept, decline, the expiry of offers past their time, and
terminating a lease.

An offer past its `expires_at` already reads as expired (`Offer.effective_status`); writing
that down and freeing its stall is `offers_expire_due`'s job, run by `manage.py expire_offers`,
and an accept or decline that finds the offer lapsed under its lock writes it too. Locks: the
offer or lease, then its stall.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
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


def offer_accept(*, offer: Offer, user: AbstractBaseUser) -> Offer:
    """Accept an offer: a lease for the round's lease months at the stall's fee.

    Accepting again answers with the same lease; an offer past its time is a 409 (and expired).
    """

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
        lease = Lease(
            offer=offer,
            stall=stall,
            vendor=vendor,
            start_date=start,
            end_date=add_months(start, application.round.lease_months),
            monthly_fee=stall.monthly_fee,
            status=LeaseStatus.ACTIVE,
        )
        lease.full_clean(validate_unique=False, validate_constraints=False)
        lease._history_user = user
        lease.save()
        offer.status = OfferStatus.ACCEPTED
        stall.status = StallStatus.LEASED
        _log_offer("offer_accepted", offer, lease_id=lease.pk)

    return _decide(offer, user, done=OfferStatus.ACCEPTED, decide=accept)


def offer_decline(*, offer: Offer, user: AbstractBaseUser) -> Offer:
    """Decline an open offer; the stall is vacant again (for a follow-up round)."""

    def decline(offer: Offer, stall: Stall, now: datetime) -> None:
        offer.status = OfferStatus.DECLINED
        stall.status = StallStatus.VACANT
        _log_offer("offer_declined", offer)

    return _decide(offer, user, done=OfferStatus.DECLINED, decide=decline)


@transaction.atomic
def lease_terminate(*, lease: Lease, user: AbstractBaseUser, reason: str) -> Lease:
    """End an active lease early, with the reason; the stall becomes vacant."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    stall = Stall.objects.select_for_update().get(pk=lease.stall_id)
    outlet_require_managed(user=user, outlet_ids=[stall.outlet_id])
    if lease.status != LeaseStatus.ACTIVE:
        raise Conflict(str(LEASE_NOT_ACTIVE))
    lease.status = LeaseStatus.TERMINATED
    lease.termination_reason = reason.strip()
    lease.terminated_at = timezone.now()
    lease.terminated_by = user
    lease._history_user = user
    lease.save()
    _free_stall(stall, user)
    extra = {"event": "lease_terminated", "lease_id": lease.pk, "stall_id": stall.pk}
    transaction.on_commit(lambda: logger.info("lease terminated", extra=extra))
    return lease
