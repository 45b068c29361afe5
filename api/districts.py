"""Districts (kecamatan and kelurahan): read-only, JSON or GeoJSON."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from api.filters import StrictOrderingFilter
from api.permissions import RolePermission
from api.renderers import GEO_RENDERERS
from api.schema import GeoJSONAutoSchema, geojson_collection
from geodata.models import District, DistrictLevel


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
        responses={
            (200, "application/json"): DistrictSerializer(many=True),
            (200, "application/geo+json"): DISTRICT_COLLECTION,
        },
    ),
    retrieve=extend_schema(
        summary="One district by its Kemendagri code",
        responses={
            (200, "application/json"): DistrictSerializer,
            (200, "application/geo+json"): DISTRICT_FEATURE,
        },
    ),
)
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
