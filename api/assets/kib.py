"""KIB A and KIB C workbooks over HTTP: export the register (all, or one agency's) and import
a workbook (all rows or none, the importer's report). Views parse, call one service, answer."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.assets.serializers import FieldErrorsSerializer, ImportReportSerializer
from api.permissions import RolePermission
from api.schema import errors
from assets_app.kib import KIB_CATEGORY, kib_export, kib_import_upload
from assets_app.models import Agency, Asset
from core.roles import ASSET_OFFICER, STAFF_ROLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNKNOWN_AGENCY = _("No agency has code {code!r}.")
KIND_PATTERN = "(?P<kind>[AC])"


class KibImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("A KIB workbook (.xlsx)."))
    dry_run = serializers.BooleanField(default=False)
    update = serializers.BooleanField(
        default=False, help_text=_("Update assets whose register code exists (upsert).")
    )


class KibExportView(APIView):
    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES

    @extend_schema(
        summary="The KIB A (land) or KIB C (buildings) workbook of the register, as of now",
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["A", "C"]),
            OpenApiParameter(
                "agency",
                str,
                description="Only this agency's assets (its code).",
                pattern=r"^[A-Za-z0-9_.-]{1,32}$",
            ),
        ],
        responses={(200, XLSX): OpenApiTypes.BINARY, **errors(400, 401, 403)},
    )
    def get(self, request, kind: str):
        queryset = Asset.objects.filter(category=KIB_CATEGORY[kind])
        agency = request.query_params.get("agency", "").strip()
        if agency:
            if not Agency.objects.filter(code=agency).exists():
                raise ValidationError({"agency": [str(UNKNOWN_AGENCY).format(code=agency[:40])]})
            queryset = queryset.filter(custodian_agency_id=agency)
        body = kib_export(queryset=queryset, kind=kind, agency=agency)
        response = HttpResponse(body, content_type=XLSX)
        name = f"KIB-{kind}{'-' + agency if agency else ''}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class KibImportView(APIView):
    permission_classes = [RolePermission]
    read_roles: tuple = ()
    write_roles = (ASSET_OFFICER,)
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a KIB A or KIB C workbook (officers): all rows or none",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["A", "C"])],
        request={"multipart/form-data": KibImportSerializer},
        responses={
            200: ImportReportSerializer,
            400: PolymorphicProxySerializer(
                component_name="KibImportFailure",
                serializers=[ImportReportSerializer, FieldErrorsSerializer],
                resource_type_field_name=None,
            ),
            **errors(401, 403),
        },
    )
    def post(self, request, kind: str):
        serializer = KibImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = kib_import_upload(
                upload=serializer.validated_data["file"],
                kind=kind,
                user=request.user,
                dry_run=serializer.validated_data["dry_run"],
                update=serializer.validated_data["update"],
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": list(exc.messages)}) from exc
        code = status.HTTP_400_BAD_REQUEST if report["errors"] else status.HTTP_200_OK
        return Response(report, status=code)
