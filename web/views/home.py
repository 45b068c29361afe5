"""`/`: each visitor to her place. Anonymous visitors see the open rounds in plain words with
sign-in and registration; a vendor goes to the vendor pages; staff to the map."""

from __future__ import annotations

from django.shortcuts import redirect, render

from core.roles import STAFF_ROLES, VENDOR, has_role
from web.views.vendor.queries import open_rounds, outlets_described


def home(request):
    user = request.user
    if user.is_authenticated:
        if has_role(user, VENDOR) and hasattr(user, "vendor"):
            return redirect("vendor:home")
        if has_role(user, *STAFF_ROLES):
            return redirect("map")
        if user.is_staff:
            return redirect("admin:index")
    rounds = open_rounds()
    outlet_ids = sorted({o.pk for r in rounds for o in r.outlets.all()})
    described = {d["outlet"].pk: d for d in outlets_described(outlet_ids)}
    items = [
        {"round": r, "outlets": [described[o.pk] for o in r.outlets.all() if o.pk in described]}
        for r in rounds
    ]
    return render(request, "web/home.html", {"items": items})
