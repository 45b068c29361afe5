"""What every vendor page shares: the signed-in vendor, the throttles, the 429 page."""

from __future__ import annotations

import math
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import ScopedRateThrottle

from api.throttles import sign_in_throttle_wait
from core.roles import VENDOR, has_role
from outlets.models import Vendor

NOT_A_VENDOR = _("These pages are for registered vendors.")
TOO_MANY = _("Too many attempts. Try again later.")
VENDOR_WRITE_SCOPE = "vendor_write"
REGISTER_SCOPE = "register"


class _Scope:
    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def user_throttle_wait(request, scope: str) -> int | None:
    """Count one write by the signed-in user in `scope` (the API's counter for the same user:
    DRF keys a signed-in caller by her id); None if allowed, else seconds to wait."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return max(1, math.ceil(throttle.wait() or 1))


def too_many(request, wait: int):
    response = render(request, "web/vendor/throttled.html", {"message": TOO_MANY}, status=429)
    response["Retry-After"] = str(wait)
    return response


def address_throttled(scope: str):
    """POSTs counted per address in `scope` (the API's budget for the same address)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                wait = sign_in_throttle_wait(request, scope)
                if wait is not None:
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def vendor_page(view):
    """Signed in with a vendor profile (`request.vendor`); vendor writes throttled per user."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        vendor = (
            Vendor.objects.filter(user=request.user)
            .select_related("home_kelurahan")
            .defer("home_kelurahan__geometry")
            .first()
        )
        if vendor is None or not has_role(request.user, VENDOR):
            raise PermissionDenied(NOT_A_VENDOR)
        request.vendor = vendor
        if request.method == "POST":
            wait = user_throttle_wait(request, VENDOR_WRITE_SCOPE)
            if wait is not None:
                return too_many(request, wait)
        return view(request, *args, **kwargs)

    return wrapped
