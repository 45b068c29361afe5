"""Token sign-in and sign-out, and the sign-in throttle the web and admin pages share.

`POST /api/v1/auth/token/` with username and password returns `{"token"}` (a new one if the
user's has expired); `POST /api/v1/auth/token/revoke/` deletes the caller's token.

Every password guess counts against one budget per address, DRF's scope "token", in the shared
cache: the token endpoint, the web sign-in and the admin sign-in alike, so a guesser cannot
spread guesses over the three.
"""

import math

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.renderers import JSONRenderer
from core.services import token_for_sign_in, token_revoke

SIGN_IN_SCOPE = "token"
SIGN_IN_THROTTLED = _("Too many sign-in attempts from your address. Try again later.")


class TokenView(ObtainAuthToken):
    # Signing in reads no token: a stale Authorization header must not turn it into a 401.
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = SIGN_IN_SCOPE
    renderer_classes = [JSONRenderer]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        summary="Exchange username and password for an API token",
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_for_sign_in(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token is deleted; sign in for a new one.")
        },
        summary="Revoke your API token (sign out of every API client)",
    )
    def post(self, request, *args, **kwargs):
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _Scope:
    """Stands for a view when a Django (non-DRF) view asks a DRF throttle."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


class AddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle keyed by the caller's address even when a session is signed in:
    the key is the one the token endpoint's anonymous callers get, so the budget is shared."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def sign_in_throttle_wait(request, scope: str = SIGN_IN_SCOPE) -> int | None:
    """Count one attempt from the request's address; None if allowed, else seconds to wait.

    The counters live in the cache (settings CACHES): shared by every process with Redis
    (CACHE_URL); with the local-memory default each process counts on its own."""
    throttle = AddressThrottle()
    if throttle.allow_request(request, _Scope(scope)):
        return None
    return max(1, math.ceil(throttle.wait() or 1))
