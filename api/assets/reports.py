"""Reports over HTTP: KIB A, KIB C, property in use by third parties and changes of use in a
period, as PDF or XLSX with the city's header, generated from the database when asked."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from api.permissions import RolePermission
from api.schema import errors
from assets_app.models import Agency, Category
from assets_app.reports import (
    REPORTS,
    changes_of_use_report,
    kib_report,
    report_pdf,
    report_xlsx,
    utilised_report,
)
from core.roles import STAFF_ROLES

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNKNOWN_AGENCY = _("No agency has code {code!r}.")
PERIOD_REQUIRED = _("The changes of use are reported for a period: give from and to.")
PERIOD_BACKWARDS = _("The period ends before it starts.")
NAME_PATTERN = "(?P<name>" + "|".join(REPORTS) + ")"


class ReportQuerySerializer(serializers.Serializer):
    output = serializers.ChoiceField(choices=["pdf", "xlsx"], default="pdf")
    agency = serializers.CharField(max_length=32, required=False)
    on = serializers.DateField(required=False)
    # "from" is a Python keyword: the field is renamed below.
    start = serializers.DateField(required=False)
    to = serializers.DateField(required=False)

    def to_internal_value(self, data):
        data = data.copy()
        if "from" in data:
            data["start"] = data.pop("from")[-1] if hasattr(data, "getlist") else data.pop("from")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = dict(exc.detail)
            if "start" in detail:
                detail["from"] = detail.pop("start")
            raise serializers.ValidationError(detail) from exc


class ReportView(APIView):
    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES

    @extend_schema(
        summary="A report as PDF or XLSX (KIB A, KIB C, property in use, changes of use)",
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(REPORTS)),
            OpenApiParameter("output", str, enum=["pdf", "xlsx"], description="Default pdf."),
            OpenApiParameter(
                "agency",
                str,
                description="Only this agency's (its code).",
                pattern=r"^[A-Za-z0-9_.-]{1,32}$",
            ),
            OpenApiParameter("on", OpenApiTypes.DATE, description="utilised: leases in force"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="changes_of_use: first day"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="changes_of_use: last day"),
        ],
        responses={
            (200, PDF): OpenApiTypes.BINARY,
            (200, XLSX): OpenApiTypes.BINARY,
            **errors(400, 401, 403),
        },
    )
    def get(self, request, name: str):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        agency = q.get("agency", "").strip() or None
        if agency and not Agency.objects.filter(code=agency).exists():
            raise ValidationError({"agency": [str(UNKNOWN_AGENCY).format(code=agency)]})
        if name == "kib_a":
            report = kib_report(category=Category.LAND, agency=agency)
        elif name == "kib_c":
            report = kib_report(category=Category.BUILDING, agency=agency)
        elif name == "utilised":
            report = utilised_report(agency=agency, on=q.get("on"))
        else:
            missing = [k for k, f in (("from", "start"), ("to", "to")) if f not in q]
            if missing:
                raise ValidationError({k: [str(PERIOD_REQUIRED)] for k in missing})
            if q["to"] < q["start"]:
                raise ValidationError({"to": [str(PERIOD_BACKWARDS)]})
            report = changes_of_use_report(start=q["start"], end=q["to"], agency=agency)
        if q["output"] == "xlsx":
            body, content_type, suffix = report_xlsx(report), XLSX, "xlsx"
        else:
            body, content_type, suffix = report_pdf(report), PDF, "pdf"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{report.name}.{suffix}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
