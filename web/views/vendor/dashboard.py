"""The vendor's first page: her record in brief, open rounds, applications, offers, leases and
the notifications sent to her."""

from __future__ import annotations

from django.shortcuts import render

from notifications.selectors import notification_list_mine
from operations.services.billing import lease_account
from outlets.nik import city_today
from web.views.vendor._common import vendor_page
from web.views.vendor.queries import my_applications, my_leases, my_offers, open_rounds


def _with_owed(leases: list) -> list:
    """Each lease with what it owes today in Depok as `owed` (a vendor holds one lease or two)."""
    today = city_today()
    for lease in leases:
        lease.owed = max(lease_account(lease=lease, on=today).balance, 0)
    return leases


@vendor_page
def vendor_home(request):
    vendor = request.vendor
    leases = _with_owed(list(my_leases(vendor)[:20]))
    context = {
        "vendor": vendor,
        "rounds": open_rounds(),
        "applications": list(my_applications(vendor)[:20]),
        "offers": list(my_offers(vendor)[:20]),
        "leases": leases,
        "notifications": notification_list_mine(user=request.user, limit=20),
    }
    return render(request, "web/vendor/home.html", context)
