"""The vendor's offers (accept or decline before the deadline, shown in Depok time with a
countdown) and her leases."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from outlets import services
from outlets.choices import LeaseStatus, OfferStatus
from web.views.vendor._common import vendor_page
from web.views.vendor.queries import my_lease, my_offer

OFFER_ACCEPTED = _("You accepted the offer. Your lease is below.")
OFFER_DECLINED = _("You declined the offer. The stall goes to a later round.")


@vendor_page
def offer_detail(request, offer_id: int):
    offer = my_offer(request.vendor, offer_id)
    lease = getattr(offer, "lease", None)
    seconds_left = max(0, int((offer.expires_at - timezone.now()).total_seconds()))
    context = {
        "offer": offer,
        "status": offer.effective_status,
        "is_open": offer.effective_status == OfferStatus.OPEN,
        "seconds_left": seconds_left,
        "hours_left": seconds_left // 3600,
        "minutes_left": seconds_left % 3600 // 60,
        "lease": lease,
    }
    return render(request, "web/vendor/offer.html", context)


def _decide(request, offer_id: int, *, accept: bool):
    offer = my_offer(request.vendor, offer_id)
    try:
        if accept:
            services.offer_accept(offer=offer, user=request.user)
        else:
            services.offer_decline(offer=offer, user=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("vendor:offer", offer_id=offer.pk)
    if accept:
        messages.success(request, OFFER_ACCEPTED)
        lease = my_offer(request.vendor, offer_id).lease
        return redirect("vendor:lease", lease_id=lease.pk)
    messages.success(request, OFFER_DECLINED)
    return redirect("vendor:offer", offer_id=offer.pk)


@require_POST
@vendor_page
def offer_accept(request, offer_id: int):
    return _decide(request, offer_id, accept=True)


@require_POST
@vendor_page
def offer_decline(request, offer_id: int):
    return _decide(request, offer_id, accept=False)


@vendor_page
def lease_detail(request, lease_id: int):
    lease = my_lease(request.vendor, lease_id)
    return render(
        request,
        "web/vendor/lease.html",
        {
            "lease": lease,
            "state_label": LeaseStatus(lease.state).label,
            "bills_url": reverse("vendor:bills", kwargs={"lease_id": lease.pk}),
        },
    )
