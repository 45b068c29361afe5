"""Reports for planners and managers, as JSON or (`?download=csv|xlsx`) a file."""

from datetime import timedelta

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.operations import serializers as s
from api.operations.views._common import _validated
from api.permissions import RolePermission
from api.schema import errors
from core.roles import OUTLET_MANAGER, PLANNER
from operations import reports
from outlets.nik import city_today

COLUMNS = {
    "revenue": ["outlet", "outlet_name", "kecamatan", "month", "billed", "collected"],
    "arrears": ["lease", "outlet", "stall_code", "vendor_business_name", "overdue", "balance",
                "oldest_days_late", "current", "days_1_30", "days_31_60", "days_61_90",
                "days_over_90"],
    "occupancy": ["outlet", "outlet_name", "kecamatan", "stalls", "stall_days", "leased_days",
                  "vacant_days", "occupancy_percent"],
    "leases-ending": ["lease", "outlet", "stall_code", "vendor_business_name", "end_date",
                      "days_left", "renewed"],
    "closed-stalls": ["stall", "stall_code", "outlet", "lease", "visits", "closed"],
}  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(name: str, q: dict) -> list[dict]:
    today = city_today()
    start = q.get("start") or today.replace(day=1, month=1)
    end = q.get("end") or today + timedelta(days=1)
    if name == "revenue":
        return reports.revenue(start=start, end=end)
    if name == "arrears":
        return reports.arrears(on=q.get("on") or today)
    if name == "occupancy":
        return reports.occupancy(start=start, end=max(end, start + timedelta(days=1)))
    if name == "leases-ending":
        return reports.leases_ending(on=q.get("on") or today, days=q.get("days") or 90)
    return reports.closed_stalls(
        since=q.get("start") or today - timedelta(days=90),
        until=q.get("on") or today,
        min_visits=q.get("min_visits") or 2,
    )


class ReportView(APIView):
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER, PLANNER)

    @extend_schema(
        summary="A report: revenue (PAD), arrears, occupancy, leases-ending or closed-stalls",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE, description="exclusive"),
            OpenApiParameter("on", OpenApiTypes.DATE),
            OpenApiParameter("days", OpenApiTypes.INT),
            OpenApiParameter("min_visits", OpenApiTypes.INT),
            OpenApiParameter("download", OpenApiTypes.STR, enum=["csv", "xlsx"]),
        ],
        responses={
            200: s.ReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(400, 401, 403, 404),
        },
    )
    def get(self, request, name: str):
        if name not in COLUMNS:
            raise Http404
        q = _validated(s.ReportQuerySerializer, request.query_params)
        rows = _rows(name, q)
        columns = COLUMNS[name]
        download = q.get("download")
        if download == "csv":
            response = HttpResponse(reports.to_csv(rows, columns), content_type="text/csv")
        elif download == "xlsx":
            response = HttpResponse(reports.to_xlsx(rows, columns, name), content_type=XLSX)
        else:
            return Response({"report": name, "columns": columns, "rows": rows})
        response["Content-Disposition"] = f'attachment; filename="{name}.{download}"'
        return response
