"""Every throttle of the service, in one module both the views and the schema hook import.

- DRF's `ScopedRateThrottle` counts registration (`register`) and the token endpoint (`token`);
- `VendorWriteThrottle` counts a vendor's writes only (`vendor_write`);
- `sign_in_throttle_wait` lets Django's (non-DRF) sign-in pages draw on the token endpoint's
  budget per address, so a guesser cannot spread guesses over the API, the web and the admin;
- `throttle_counts` tells the OpenAPI hook (`api/schema.py`) whether an operation can be a 429.

The rates are settings (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`); the counters live in the
cache (settings CACHES): shared by every process with Redis (CACHE_URL), per process otherwise.
"""

from __future__ import annotations

import math

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import ScopedRateThrottle

SIGN_IN_SCOPE = "token"
PASSWORD_RESET_SCOPE = "password_reset"
SIGN_IN_THROTTLED = _("Too many sign-in attempts from your address. Try again later.")


class VendorWriteThrottle(ScopedRateThrottle):
    """The view's `throttle_scope` applies to writes only; reads are not counted."""

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class AddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle keyed by the caller's address even when a session is signed in:
    the key is the one the token endpoint's anonymous callers get, so the budget is shared."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _Scope:
    """Stands for a view when a Django (non-DRF) view asks a DRF throttle."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def sign_in_throttle_wait(request, scope: str = SIGN_IN_SCOPE) -> int | None:
    """Count one attempt from the request's address; None if allowed, else seconds to wait."""
    throttle = AddressThrottle()
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return max(1, math.ceil(throttle.wait() or 1))


def throttle_counts(view, method: str) -> bool:
    """Whether any of `view`'s throttles counts a `method` request (so it may answer 429)."""
    for throttle in view.get_throttles():
        if isinstance(throttle, VendorWriteThrottle) and method in SAFE_METHODS:
            continue
        scoped = isinstance(throttle, ScopedRateThrottle)
        if scoped and not getattr(view, throttle.scope_attr, None):
            continue  # a scoped throttle with no scope for this action lets everything through
        return True
    return False
