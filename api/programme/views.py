"""`api/v1/programme/`: cohort lists and their import, targets, coaching, licences and the
licences outlets require, the funnel (JSON, CSV, XLSX), a vendor's own record, and programme
staff's verification of claims. Views parse, call one service or selector, and serialize."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.assets.serializers import FieldErrorsSerializer
from api.assets.views import IgnoreFormatParam
from api.outlets.views._common import ID_REGEX, _validated
from api.permissions import RolePermission
from api.programme import serializers as s
from api.renderers import JSONRenderer
from api.schema import errors
from core.roles import OUTLET_MANAGER, PROGRAMME_STAFF, STAFF_ROLES, VENDOR
from outlets.models import Outlet, Vendor
from outlets.nik import city_today
from outlets.services import vendor_claims_verify, vendor_for_user
from programme import selectors, services
from programme.map_panel import FUNNEL_READERS
from programme.models import CoachingSession, CohortList, Licence, LicenceRequirement, Target

STAFF = (PROGRAMME_STAFF,)
READERS = FUNNEL_READERS
UPLOAD_TOO_LARGE = _("The file is larger than {limit} MB.")
MAX_UPLOAD = 20 * 1024 * 1024
OUTLET_UNKNOWN = _("No such outlet.")
VENDOR_UNKNOWN = _("No such vendor.")


@extend_schema_view(
    list=extend_schema(summary="Imported cohort lists (programme staff, planners)"),
    retrieve=extend_schema(summary="One imported cohort list"),
)
class CohortListViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.CohortListSerializer
    permission_classes = [RolePermission]
    read_roles = READERS
    write_roles = STAFF
    renderer_classes = [JSONRenderer]
    lookup_value_regex = ID_REGEX
    filter_backends: list = []

    def get_queryset(self):
        return (
            CohortList.objects.select_related("imported_by")
            .annotate(member_count=Count("members"))
            .order_by("-imported_at", "-id")
        )

    @extend_schema(
        summary="Import a cohort list (.csv or .xlsx: nik, name, programme, year, kecamatan, "
        "batch): all rows or none; the same file again changes nothing",
        request={"multipart/form-data": s.CohortImportRequestSerializer},
        responses={
            200: s.CohortImportReportSerializer,
            201: s.CohortImportReportSerializer,
            400: PolymorphicProxySerializer(
                component_name="CohortImportFailure",
                serializers=[s.CohortImportReportSerializer, FieldErrorsSerializer],
                resource_type_field_name=None,
            ),
            **errors(401, 403, 409),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        upload = _validated(s.CohortImportRequestSerializer, request.data)["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError({"file": [str(UPLOAD_TOO_LARGE).format(limit=20)]})
        try:
            report = services.cohort_list_import(
                data=upload.read(), file_name=upload.name or "", user=request.user
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": list(exc.messages)}) from exc
        if report["errors"]:
            code = status.HTTP_400_BAD_REQUEST
        elif report["already_imported"]:
            code = status.HTTP_200_OK
        else:
            code = status.HTTP_201_CREATED
        return Response(report, status=code)


@extend_schema_view(
    list=extend_schema(summary="Programme targets by year, with their source"),
    retrieve=extend_schema(summary="One target"),
    create=extend_schema(
        summary="Add a target (programme staff)",
        request=s.TargetInputSerializer,
        responses={201: s.TargetSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a target or its source (programme staff)",
        request=s.TargetUpdateSerializer,
        responses={200: s.TargetSerializer, **errors(400, 401, 403, 404)},
    ),
)
class TargetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.TargetSerializer
    permission_classes = [RolePermission]
    read_roles = READERS
    write_roles = STAFF
    renderer_classes = [JSONRenderer]
    lookup_value_regex = ID_REGEX
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Target.objects.order_by("programme", "year", "pk")

    def create(self, request, *args, **kwargs):
        data = _validated(s.TargetInputSerializer, request.data)
        target = services.target_create(user=request.user, data=data)
        return Response(s.TargetSerializer(target).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        data = _validated(s.TargetUpdateSerializer, request.data)
        target = services.target_update(target=target, user=request.user, data=data)
        return Response(s.TargetSerializer(target).data)


@extend_schema_view(
    list=extend_schema(summary="Coaching sessions (programme staff, planners)"),
    retrieve=extend_schema(summary="One coaching session"),
    create=extend_schema(
        summary="Record a coaching session (programme staff)",
        request=s.CoachingSessionInputSerializer,
        responses={201: s.CoachingSessionSerializer, **errors(400, 401, 403)},
    ),
)
class CoachingSessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.CoachingSessionSerializer
    permission_classes = [RolePermission]
    read_roles = READERS
    write_roles = STAFF
    renderer_classes = [JSONRenderer]
    lookup_value_regex = ID_REGEX
    filter_backends: list = []

    def get_queryset(self):
        return CoachingSession.objects.annotate(attendee_count=Count("attendances")).order_by(
            "-held_on", "-id"
        )

    def create(self, request, *args, **kwargs):
        data = _validated(s.CoachingSessionInputSerializer, request.data)
        session = services.coaching_session_create(user=request.user, data=data)
        session.attendee_count = 0
        return Response(s.CoachingSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record who attended (programme staff); a vendor recorded already stays",
        request=s.AttendanceInputSerializer,
        responses={200: s.CoachingSessionSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        data = _validated(s.AttendanceInputSerializer, request.data)
        services.attendance_record(session=session, user=request.user, vendor_ids=data["vendors"])
        return Response(s.CoachingSessionSerializer(self.get_queryset().get(pk=session.pk)).data)


def _with_validity(licences):
    today = city_today()
    for licence in licences:
        licence.valid = licence.issued_on <= today and (
            licence.expires_on is None or licence.expires_on >= today
        )
    return licences


@extend_schema_view(
    list=extend_schema(summary="Vendors' licences (programme staff, outlet managers)"),
    retrieve=extend_schema(summary="One licence"),
    create=extend_schema(
        summary="Record a vendor's licence (programme staff): NIB (13 digits, no expiry), "
        "SPP-IRT (valid five years), halal certificate",
        request=s.LicenceInputSerializer,
        responses={201: s.LicenceSerializer, **errors(400, 401, 403)},
    ),
)
class LicenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.LicenceSerializer
    permission_classes = [RolePermission]
    read_roles = (PROGRAMME_STAFF, OUTLET_MANAGER)
    write_roles = STAFF
    renderer_classes = [JSONRenderer]
    lookup_value_regex = ID_REGEX
    filter_backends: list = []

    def get_queryset(self):
        return Licence.objects.order_by("vendor_id", "kind", "-issued_on", "pk")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return _with_validity(page) if page is not None else page

    def get_object(self):
        return _with_validity([super().get_object()])[0]

    def create(self, request, *args, **kwargs):
        data = _validated(s.LicenceInputSerializer, request.data)
        data["vendor"] = Vendor.objects.filter(pk=data["vendor"]).first()
        if data["vendor"] is None:
            raise ValidationError({"vendor": [str(VENDOR_UNKNOWN)]})
        licence = services.licence_create(user=request.user, data=data)
        return Response(
            s.LicenceSerializer(_with_validity([licence])[0]).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Licences expiring within `within` days (default 90), soonest first",
        parameters=[OpenApiParameter("within", int, description="Days ahead, 1-366.")],
        responses={200: s.LicenceSerializer(many=True), **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["get"])
    def expiring(self, request):
        within = _validated(s.ExpiringQuerySerializer, request.query_params)["within"]
        page = self.paginate_queryset(selectors.licences_expiring(within_days=within))
        return self.get_paginated_response(s.LicenceSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Licences outlets require per stall kind"),
    retrieve=extend_schema(summary="One licence requirement"),
    create=extend_schema(
        summary="Require a licence for a stall kind at an outlet (its managers)",
        request=s.RequirementInputSerializer,
        responses={201: s.RequirementSerializer, **errors(400, 401, 403)},
    ),
    destroy=extend_schema(
        summary="Drop a licence requirement (the outlet's managers)",
        responses={204: None, **errors(401, 403, 404)},
    ),
)
class RequirementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.RequirementSerializer
    permission_classes = [RolePermission]
    read_roles = (*STAFF_ROLES, VENDOR)
    write_roles = (OUTLET_MANAGER,)
    renderer_classes = [JSONRenderer]
    lookup_value_regex = ID_REGEX
    filter_backends: list = []

    def get_queryset(self):
        return LicenceRequirement.objects.order_by("outlet_id", "stall_kind", "licence_kind", "pk")

    def create(self, request, *args, **kwargs):
        data = _validated(s.RequirementInputSerializer, request.data)
        outlet = Outlet.objects.filter(pk=data["outlet"]).first()
        if outlet is None:
            raise ValidationError({"outlet": [str(OUTLET_UNKNOWN)]})
        requirement = services.licence_requirement_create(
            user=request.user,
            outlet=outlet,
            stall_kind=data["stall_kind"],
            licence_kind=data["licence_kind"],
        )
        return Response(s.RequirementSerializer(requirement).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.licence_requirement_delete(user=request.user, requirement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class FunnelView(APIView):
    """`GET programme/funnel/`: recruited, coached, licensed, applied, placed, trading."""

    permission_classes = [RolePermission]
    read_roles = READERS
    renderer_classes = [JSONRenderer]
    content_negotiation_class = IgnoreFormatParam

    @extend_schema(
        summary="The programme funnel per cohort year, programme and kecamatan (JSON, CSV, XLSX)",
        parameters=[s.FunnelQuerySerializer],
        responses={
            (200, "application/json"): s.FunnelSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
            **errors(400, 401, 403),
        },
    )
    def get(self, request):
        query = _validated(s.FunnelQuerySerializer, request.query_params)
        file_format = query.pop("format", "json")
        report = selectors.funnel(**query)
        if file_format == "csv":
            response = HttpResponse(selectors.funnel_csv(report), content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="programme-funnel.csv"'
            return response
        if file_format == "xlsx":
            response = HttpResponse(
                selectors.funnel_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = 'attachment; filename="programme-funnel.xlsx"'
            return response
        return Response(s.FunnelSerializer(report).data)


class ProgrammeMeView(APIView):
    """`GET programme/me/`: the signed-in vendor's memberships, coaching and licences."""

    permission_classes = [RolePermission]
    read_roles = (VENDOR,)
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="My programme record (vendors)",
        responses={200: s.MyRecordSerializer, **errors(401, 403)},
    )
    def get(self, request):
        vendor = vendor_for_user(request.user)
        return Response(s.MyRecordSerializer(selectors.vendor_record(vendor)).data)


class ProgrammeVerifyView(APIView):
    """`POST programme/vendors/{id}/verify/`: programme staff verify membership by hand."""

    permission_classes = [RolePermission]
    write_roles = STAFF
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Verify a vendor's programme membership by hand, saying what was checked "
        "(programme staff)",
        request=s.ProgrammeVerifySerializer,
        responses={200: s.VerifiedSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, pk: str):
        vendor = get_object_or_404(Vendor, pk=int(pk))
        data = _validated(s.ProgrammeVerifySerializer, request.data)
        vendor_claims_verify(
            vendor=vendor, user=request.user, claims=data["claims"], reason=data["reason"]
        )
        evidence = selectors.claim_evidence([vendor.pk]).get(vendor.pk, {})
        return Response({"vendor": vendor.pk, "claims": evidence})
