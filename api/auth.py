"""Token sign-in and sign-out.

`POST /api/v1/auth/token/` with username and password returns `{"token"}` (a new one if the
user's has expired); `POST /api/v1/auth/token/revoke/` deletes the caller's token.

Every password guess counts against one budget per address, DRF's scope "token", in the shared
cache: the token endpoint, the web sign-in and the admin sign-in alike (`api/throttles.py`), so a
guesser cannot spread guesses over the three.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.renderers import JSONRenderer
from api.throttles import SIGN_IN_SCOPE
from core.services import token_for_sign_in, token_revoke


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
