"""`POST vendors/{id}/reset-code/`: an outlet manager, having checked the vendor's KTP in person,
issues a one-time password reset code for her (`core.reset_codes`); the code is in this answer
only, and the vendor enters it at `/vendor/reset-code/`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.permissions import RolePermission
from api.renderers import JSONRenderer
from api.schema import errors
from core.reset_codes import reset_code_issue
from core.roles import OUTLET_MANAGER
from outlets.models import Vendor


class ResetCodeInputSerializer(serializers.Serializer):
    ktp_checked = serializers.BooleanField(
        help_text="True once the vendor's KTP was checked in person against her record."
    )


class ResetCodeSerializer(serializers.Serializer):
    vendor = serializers.IntegerField()
    code = serializers.CharField(help_text="Eight digits; shown only in this answer.")
    expires_at = serializers.DateTimeField()


class VendorResetCodeView(APIView):
    permission_classes = [RolePermission]
    read_roles = ()
    write_roles = (OUTLET_MANAGER,)
    renderer_classes = [JSONRenderer]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        summary="Issue a one-time password reset code for a vendor (valid 24 hours, once), "
        "after checking her KTP in person",
        request=ResetCodeInputSerializer,
        responses={201: ResetCodeSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, pk: str):
        pk = int(pk)
        serializer = ResetCodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vendor = get_object_or_404(Vendor.objects.select_related("user"), pk=pk)
        row, code = reset_code_issue(
            user=vendor.user,
            issued_by=request.user,
            ktp_checked=serializer.validated_data["ktp_checked"],
        )
        data = {"vendor": vendor.pk, "code": code, "expires_at": row.expires_at}
        return Response(ResetCodeSerializer(data).data, status=status.HTTP_201_CREATED)
