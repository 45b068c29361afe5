"""Districts (kecamatan and kelurahan): read-only, JSON or GeoJSON.

`?zoom=` sends each boundary simplified for that map zoom (half a screen pixel, in metres; see
`geodata.boundaries.simplified_geojson`), and answers are gzip-compressed when the client
accepts it: the whole city's boundaries at city zoom travel in a few tens of kilobytes.
"""

import re

import django_filters
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from api.filters import StrictOrderingFilter
from api.permissions import RolePermission
from api.renderers import GEO_RENDERERS
from api.schema import GeoJSONAutoSchema, geojson_collection
from geodata.boundaries import simplified_geojson, simplify_for_zoom
from geodata.models import District, DistrictLevel
from geodata.spatial import from_geojson

ZOOM_PARAM = "zoom"
ZOOM_MAX = 22
ZOOM_INVALID = _("A whole number of 0 to %(max)s (the map zoom the boundaries are drawn at).")
ZOOM_PARAMETER = OpenApiParameter(
    ZOOM_PARAM,
    OpenApiTypes.INT,
    description=(
        "Simplify each boundary for this map zoom (0 to 22; half a screen pixel, in metres; "
        "from 17 on the boundaries are sent in full). Without it, full detail."
    ),
    required=False,
)


def zoom_param(request) -> int | None:
    """The `zoom` asked for, or None; a bad value is a 400 naming the parameter."""
    value = request.query_params.get(ZOOM_PARAM)
    if value is None:
        return None
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,2}", value) or int(value) > ZOOM_MAX:
        raise ValidationError({ZOOM_PARAM: [ZOOM_INVALID % {"max": ZOOM_MAX}]})
    return int(value)


class DistrictSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent_id", allow_null=True, read_only=True)
    bbox = serializers.SerializerMethodField()
    # Not required: JSON lists leave the boundary out (see to_representation).
    geometry = serializers.JSONField(
        required=False, help_text="GeoJSON boundary (EPSG:4326); not in JSON lists."
    )

    class Meta:
        model = District
        fields = [
            "code",
            "name",
            "level",
            "parent_code",
            "bps_code",
            "population",
            "population_year",
            "population_source",
            "area_km2",
            "bbox",
            "lon",
            "lat",
            "geometry",
        ]

    def get_bbox(self, obj) -> list[float]:
        return [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Full boundaries are heavy: JSON lists leave them out (use GeoJSON or the detail).
        view = self.context.get("view")
        request = self.context.get("request")
        geojson = (
            request is not None and getattr(request.accepted_renderer, "format", "") == "geojson"
        )
        if view is not None and view.action == "list" and not geojson:
            data.pop("geometry", None)
        zoom = self.context.get(ZOOM_PARAM)
        if zoom is not None and data.get("geometry"):
            shipped = simplified_geojson(instance.code, zoom)
            data["geometry"] = shipped or simplify_for_zoom(from_geojson(data["geometry"]), zoom)
        return data


class DistrictFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=DistrictLevel.choices)
    parent = extend_schema_field(
        # Kota Depok's eleven kecamatan, 32.76.01 to 32.76.11 (the filter's choices).
        {"type": "string", "pattern": r"^32\.76\.(0[1-9]|1[01])$"}
    )(
        django_filters.ModelChoiceFilter(
            queryset=District.objects.filter(level=DistrictLevel.KECAMATAN), to_field_name="code"
        )
    )

    class Meta:
        model = District
        fields = ["level", "parent"]


# `?format=geojson` (or Accept: application/geo+json): Features keyed by the district code.
DISTRICT_FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string", "description": "The district's code"},
        "geometry": {"type": "object", "description": "GeoJSON boundary (EPSG:4326)"},
        "properties": {"type": "object", "description": "The district's other fields"},
    },
}
DISTRICT_COLLECTION = geojson_collection(DISTRICT_FEATURE)


@extend_schema_view(
    list=extend_schema(
        summary="Kecamatan and kelurahan of Kota Depok",
        parameters=[ZOOM_PARAMETER],
        responses={
            (200, "application/json"): DistrictSerializer(many=True),
            (200, "application/geo+json"): DISTRICT_COLLECTION,
        },
    ),
    retrieve=extend_schema(
        summary="One district by its Kemendagri code",
        parameters=[ZOOM_PARAMETER],
        responses={
            (200, "application/json"): DistrictSerializer,
            (200, "application/geo+json"): DISTRICT_FEATURE,
        },
    ),
)
@method_decorator(gzip_page, name="dispatch")
class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    schema = GeoJSONAutoSchema()
    permission_classes = [RolePermission]
    read_roles = None  # any signed-in user
    renderer_classes = GEO_RENDERERS
    filterset_class = DistrictFilterSet
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
    geojson_id_field = "code"
    filter_backends = [
        *viewsets.ReadOnlyModelViewSet.filter_backends,
        StrictOrderingFilter,
    ]
    ordering_fields = ["code", "name", "population", "area_km2"]
    ordering = ["code"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context[ZOOM_PARAM] = zoom_param(self.request)
        return context
