"""Reference facilities over HTTP: list and detail (filters), import (all rows or none), link to
the city asset that is the facility. Views parse, call one service or selector, and serialize."""

from __future__ import annotations

import os

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.assets.serializers import FieldErrorsSerializer
from api.facilities.serializers import (
    FacilityImportReportSerializer,
    FacilityImportRequestSerializer,
    FacilityLinkSerializer,
    ReferenceFacilitySerializer,
)
from api.permissions import RolePermission
from api.renderers import JSONRenderer
from api.schema import errors
from core.roles import ASSET_OFFICER, STAFF_ROLES
from facilities.management.commands.import_facilities import SUFFIX_FORMATS
from facilities.models import FacilityType, Kind, Provider, ReferenceFacility
from facilities.selectors import reference_facility_list
from facilities.services import facilities_import, facility_link
from geodata.models import District

FORMAT_UNKNOWN = _("Give format (csv or geojson): the file name ends in neither.")


class ReferenceFacilityFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    facility_type = django_filters.ChoiceFilter(choices=FacilityType.choices)
    provider = django_filters.ChoiceFilter(choices=Provider.choices)
    kecamatan = django_filters.ModelChoiceFilter(
        queryset=District.objects.filter(level="kecamatan"),
        to_field_name="code",
        field_name="kecamatan",
        help_text="Kecamatan code, e.g. 32.76.06.",
    )

    class Meta:
        model = ReferenceFacility
        fields = ["kind", "facility_type", "provider", "kecamatan"]


@extend_schema_view(
    list=extend_schema(
        summary="Reference facilities (schools and health facilities of every provider)",
        responses={200: ReferenceFacilitySerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One reference facility",
        responses={200: ReferenceFacilitySerializer, **errors(401, 403, 404)},
    ),
)
class ReferenceFacilityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReferenceFacilitySerializer
    permission_classes = [RolePermission]
    # The register's roles: staff read, officers write (import, link).
    read_roles = STAFF_ROLES
    write_roles = (ASSET_OFFICER,)
    renderer_classes = [JSONRenderer]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReferenceFacilityFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        return reference_facility_list()

    @extend_schema(
        summary="Import a school or health-facility list (officers): all rows or none",
        description=(
            "CSV or GeoJSON (a FeatureCollection of Points), opened only as the format given "
            "(or named by the suffix) and checked to be it first. A bad row is a 400 whose "
            "`errors` name the row and column; nothing is written. City assets of the facility "
            "types touched are re-assessed in the same transaction."
        ),
        request={"multipart/form-data": FacilityImportRequestSerializer},
        responses={
            200: FacilityImportReportSerializer,
            400: PolymorphicProxySerializer(
                component_name="FacilityImportFailure",
                serializers=[FacilityImportReportSerializer, FieldErrorsSerializer],
                resource_type_field_name=None,
            ),
            **errors(401, 403),
        },
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
    )
    def import_file(self, request):
        serializer = FacilityImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        fmt = serializer.validated_data.get("format") or SUFFIX_FORMATS.get(
            os.path.splitext(upload.name or "")[1].lower()
        )
        if fmt is None:
            raise ValidationError({"format": [str(FORMAT_UNKNOWN)]})
        try:
            report = facilities_import(
                file=upload,
                fmt=fmt,
                user=request.user,
                source=serializer.validated_data["source"],
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        code = status.HTTP_400_BAD_REQUEST if report["errors"] else status.HTTP_200_OK
        return Response(report, status=code)

    @extend_schema(
        summary="Link the facility to the city asset that is it (officers of the asset's agency)",
        request=FacilityLinkSerializer,
        responses={200: ReferenceFacilitySerializer, **errors(400, 401, 403, 404)},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def link(self, request, pk=None):
        facility = self.get_object()
        serializer = FacilityLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        facility = facility_link(
            facility=facility, asset=serializer.validated_data["asset"], user=request.user
        )
        return Response(ReferenceFacilitySerializer(facility).data)
