"""The asset register over HTTP: list (JSON or GeoJSON, map filters), detail, register, edit,
history, import and export. Views parse, call one service or selector, and serialize.
"""

from __future__ import annotations

import os
import tempfile

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.assets.export import export_paging, export_response
from api.assets.filtersets import AssetFilterSet
from api.assets.serializers import (
    AgencySerializer,
    AssetSerializer,
    AssetWriteSerializer,
    FieldErrorsSerializer,
    HistoryEntrySerializer,
    ImportReportSerializer,
    ImportRequestSerializer,
    asset_items,
    asset_list_rows,
    asset_page_items,
    page_fields,
)
from api.filters import MAP_FILTER_BACKENDS, StrictOrderingFilter
from api.map_list import MapListMixin
from api.permissions import RolePermission
from api.renderers import GEO_RENDERERS, GeoJSONRenderer, JSONRenderer
from api.schema import GeoJSONAutoSchema, errors, geojson_collection, geojson_feature
from assets_app.exporting import EXPORT_FORMATS, export_bounded
from assets_app.importing import IMPORT_SUFFIXES, assets_import_file
from assets_app.models import Agency
from assets_app.selectors import (
    asset_get,
    asset_history,
    asset_history_entries,
    asset_list,
    asset_map_page,
)
from assets_app.services import asset_register, asset_update
from core.roles import ASSET_OFFICER, STAFF_ROLES

UNKNOWN_FORMAT = _("Unknown format {value!r}; use one of: {allowed}.")
UNSUPPORTED_FILE = _("Unsupported file type {suffix!r}; use one of: {allowed}.")


GEOJSON_FEATURE = geojson_feature("The asset's other fields")
GEOJSON_COLLECTION = geojson_collection(GEOJSON_FEATURE)


class AssetFilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filterset's
    parameters: an empty filter form filters nothing, and building one costs more than a map
    query's index scan."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and request.query_params.keys().isdisjoint(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class IgnoreFormatParam(DefaultContentNegotiation):
    """For export: `format=` names the file format, not a renderer; errors answer JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


@extend_schema_view(
    list=extend_schema(
        summary="List assets (JSON or GeoJSON with ?format=geojson)",
        responses={
            (200, "application/json"): AssetSerializer(many=True),
            (200, "application/geo+json"): GEOJSON_COLLECTION,
            **errors(400, 401, 403, 404),
        },
    ),
    retrieve=extend_schema(
        summary="One asset",
        responses={
            (200, "application/json"): AssetSerializer,
            (200, "application/geo+json"): GEOJSON_FEATURE,
            **errors(401, 403, 404),
        },
    ),
    create=extend_schema(
        summary="Register an asset (officers)",
        request=AssetWriteSerializer,
        responses={
            (201, "application/json"): AssetSerializer,
            (201, "application/geo+json"): GEOJSON_FEATURE,
            **errors(400, 401, 403, 409),
        },
    ),
    partial_update=extend_schema(
        summary="Change an asset (officers)",
        request=AssetWriteSerializer,
        responses={
            (200, "application/json"): AssetSerializer,
            (200, "application/geo+json"): GEOJSON_FEATURE,
            **errors(400, 401, 403, 404, 409),
        },
    ),
)
class AssetViewSet(
    MapListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Assets of the city's register (JSON, or GeoJSON with `?format=geojson`)."""

    serializer_class = AssetSerializer
    schema = GeoJSONAutoSchema()
    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    write_roles = (ASSET_OFFICER,)
    action_roles = {
        "history": (ASSET_OFFICER,),
        "import_file": (ASSET_OFFICER,),
        "export": STAFF_ROLES,
    }
    renderer_classes = GEO_RENDERERS
    filter_backends = [AssetFilterBackend, *MAP_FILTER_BACKENDS, StrictOrderingFilter]
    filterset_class = AssetFilterSet
    ordering_fields = [
        "id",
        "register_code",
        "name",
        "land_area_m2",
        "building_area_m2",
        "acquisition_year",
        "book_value",
        "status",
        "use",
        "created_at",
        "updated_at",
    ]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return asset_list()

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return AssetWriteSerializer
        return AssetSerializer

    def map_page(self, queryset, query, *, limit, offset):
        # The fields the items take, so that the selector may read them with the matches.
        fields = page_fields(
            features=self._features(), names=self.properties, near=query.near is not None
        )
        # `properties=` without distance_m shows no distance.
        shown = self.properties is None or "distance_m" in self.properties
        return asset_map_page(
            queryset, query, limit=limit, offset=offset, fields=fields, distances=shown
        )

    def map_page_items(self, page):
        # The page's rows (read with the matches, or by primary key in one query), straight
        # into JSON-ready items.
        return asset_page_items(
            [] if page.rows else page.items,
            page.distances,
            features=self._features(),
            names=self.properties,
            rows=page.items if page.rows else None,
        )

    def _features(self) -> bool:
        return self.request.accepted_renderer.format == GeoJSONRenderer.format

    def page_items(self, queryset, distances):
        return self.only(asset_items(self.paginate_queryset(asset_list_rows(queryset)), distances))

    def create(self, request, *args, **kwargs):
        serializer = AssetWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = asset_register(user=request.user, data=serializer.validated_data)
        # Read it back: the write also stores a fresh repurposing assessment.
        asset = asset_get(pk=asset.pk)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        asset = self.get_object()
        serializer = AssetWriteSerializer(asset, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        asset = asset_update(asset=asset, user=request.user, data=serializer.validated_data)
        return Response(AssetSerializer(asset_get(pk=asset.pk)).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered
        return self.http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(
        summary="Who changed the asset, when, and what (officers); newest first",
        responses={200: HistoryEntrySerializer(many=True), **errors(400, 401, 403, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer], filter_backends=[])
    def history(self, request, pk=None):
        asset = self.get_object()
        records = self.paginate_queryset(asset_history(asset=asset))
        before = records[-1].prev_record if records else None
        return self.get_paginated_response(asset_history_entries(records, before=before))

    @extend_schema(
        summary="Import assets from a file (officers): all rows or none",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportReportSerializer,
            400: PolymorphicProxySerializer(
                component_name="ImportFailure",
                serializers=[ImportReportSerializer, FieldErrorsSerializer],
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
        renderer_classes=[JSONRenderer],
        filter_backends=[],
    )
    def import_file(self, request):
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        suffix = os.path.splitext(upload.name or "")[1].lower()
        if suffix not in IMPORT_SUFFIXES:
            raise ValidationError(
                {
                    "file": [
                        str(UNSUPPORTED_FILE).format(
                            suffix=suffix, allowed=", ".join(IMPORT_SUFFIXES)
                        )
                    ]
                }
            )
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, f"upload{suffix}")
            with open(path, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                report = assets_import_file(
                    path=path,
                    user=request.user,
                    dry_run=serializer.validated_data["dry_run"],
                    update=serializer.validated_data["update"],
                )
            except DjangoValidationError as exc:
                # The file as a whole could not be read: name the upload field.
                raise ValidationError({"file": list(exc.messages)}) from exc
        code = status.HTTP_400_BAD_REQUEST if report["errors"] else status.HTTP_200_OK
        return Response(report, status=code)

    @extend_schema(
        summary="Export the (filtered) register as CSV, GeoJSON or GeoPackage",
        description=(
            "Streamed; at most EXPORT_MAX_ROWS assets per file: a filter matching more is a "
            "400 naming `limit` unless the request pages with `limit` and `offset` (by id). "
            "Each server process runs a few exports at once; past that, 503 with Retry-After. "
            "CSV text cells that a spreadsheet would read as a formula (starting with =, +, -, "
            "@, tab or carriage return) begin with a single quote."
        ),
        parameters=[
            OpenApiParameter(
                "format", str, enum=[*EXPORT_FORMATS], description="File format (default csv)."
            ),
            OpenApiParameter("limit", int, description="At most this many assets (by id)."),
            OpenApiParameter("offset", int, description="Skip this many assets first (by id)."),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/geo+json"): OpenApiTypes.OBJECT,
            (200, "application/geopackage+sqlite3"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="A bad filter or format, named."),
            **errors(401, 403),
            503: OpenApiResponse(description="Too many exports running; see Retry-After."),
        },
        filters=True,
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[JSONRenderer],
        content_negotiation_class=IgnoreFormatParam,
    )
    def export(self, request):
        file_format = request.query_params.get("format", "csv").strip().lower() or "csv"
        if file_format not in EXPORT_FORMATS:
            raise ValidationError(
                {
                    "format": [
                        str(UNKNOWN_FORMAT).format(
                            value=file_format, allowed=", ".join(EXPORT_FORMATS)
                        )
                    ]
                }
            )
        limit, offset = export_paging(request)
        queryset = export_bounded(
            queryset=self.filter_queryset(self.get_queryset()), limit=limit, offset=offset
        )
        return export_response(queryset=queryset, file_format=file_format)


@extend_schema_view(
    list=extend_schema(summary="Agencies that hold assets, and the managing agency"),
    retrieve=extend_schema(summary="One agency, by code"),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_.-]{1,32}"
    queryset = Agency.objects.order_by("code")
