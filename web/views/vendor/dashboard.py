"""The vendor's first page: her record in brief, open rounds, applications, offers, leases and
the notifications sent to her."""

from __future__ import annotations

from django.shortcuts import render

from notifications.selectors import notification_list_mine
from web.views.vendor._common import vendor_page
from web.views.vendor.queries import my_applications, my_leases, my_offers, open_rounds


@vendor_page
def vendor_home(request):
    vendor = request.vendor
    context = {
        "vendor": vendor,
        "rounds": open_rounds(),
        "applications": list(my_applications(vendor)[:20]),
        "offers": list(my_offers(vendor)[:20]),
        "leases": list(my_leases(vendor)[:20]),
        "notifications": notification_list_mine(user=request.user, limit=20),
    }
    return render(request, "web/vendor/home.html", context)
