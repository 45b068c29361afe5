"""Outlets and stalls, as shown and as written."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import FiniteFloatField, IdField
from api.outlets.serializers._common import (
    DerivedStateMixin,
    RejectUnknownFieldsMixin,
    ResponseModelSerializer,
)
from outlets.models import (
    Outlet,
    Stall,
    StallKind,
)


class StallCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    vacant = serializers.IntegerField()
    offered = serializers.IntegerField()
    leased = serializers.IntegerField()


class OutletSerializer(ResponseModelSerializer):
    asset_register_code = serializers.CharField(source="asset.register_code", read_only=True)
    kecamatan_code = serializers.CharField(
        source="asset.kecamatan_id", read_only=True, allow_null=True
    )
    kelurahan_code = serializers.CharField(
        source="asset.kelurahan_id", read_only=True, allow_null=True
    )
    lon = serializers.FloatField(source="asset.lon", read_only=True)
    lat = serializers.FloatField(source="asset.lat", read_only=True)
    geometry = serializers.JSONField(
        source="asset.geometry",
        read_only=True,
        help_text="GeoJSON geometry of the asset (EPSG:4326).",
    )
    stalls = serializers.SerializerMethodField()
    distance_m = serializers.SerializerMethodField()
    managers = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="User ids of the outlet managers who may edit it (its creator among them).",
    )

    class Meta:
        model = Outlet
        fields = [
            "id", "asset", "asset_register_code", "name", "opening_hours", "manager", "managers",
            "kecamatan_code", "kelurahan_code", "lon", "lat", "geometry", "stalls", "distance_m",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(StallCountsSerializer)
    def get_stalls(self, obj) -> dict:
        # Set by `outlets.selectors.outlets_counted` (one grouped query per page).
        return {
            "total": obj.stalls_total,
            "vacant": obj.stalls_vacant,
            "offered": obj.stalls_offered,
            "leased": obj.stalls_leased,
        }

    def get_distance_m(self, obj) -> float | None:
        # Metres from `near`, handed on by the list (or detail) in the context.
        distances = self.context.get("distances")
        return distances.get(obj.pk) if distances else None


class OutletInputSerializer(serializers.Serializer):
    asset = IdField(help_text="Id of an asset whose status is designated_economic.")
    name = serializers.CharField(max_length=200)
    opening_hours = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )


class OutletUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    opening_hours = serializers.CharField(max_length=200, allow_blank=True, required=False)


class StallSerializer(DerivedStateMixin, ResponseModelSerializer):
    class Meta:
        model = Stall
        fields = [
            "id", "outlet", "code", "kind", "area_m2", "monthly_fee", "has_power", "has_water",
            "status", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
        # Vacant again once the offer holding it is past its time (`Stall.objects.with_state`).
        extra_kwargs = {"status": {"source": "effective_status"}}


class StallInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=StallKind.choices)
    area_m2 = FiniteFloatField(help_text="Floor area in m², greater than 0.")
    monthly_fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="Monthly fee in IDR."
    )
    has_power = serializers.BooleanField(required=False, default=False)
    has_water = serializers.BooleanField(required=False, default=False)
