"""`GET stats/programme/`: progress of the WUB and women-entrepreneur programmes for planners.

The selector `outlets.selectors.programme_stats` computes the figures in a few aggregate queries;
this module only checks the role, calls it and serializes the answer. The serializers below are
the response's exact shape, so the OpenAPI schema documents what the endpoint returns.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.outlets.serializers import StallCountsSerializer
from api.permissions import RolePermission
from core.roles import STAFF_ROLES
from outlets.selectors import programme_stats

PERCENT_HELP = "A percentage with two decimals; null when the whole is 0."


class ProgrammeSerializer(serializers.Serializer):
    programme = serializers.ChoiceField(choices=["wub", "women"])
    target = serializers.IntegerField(help_text="PROGRAMME_TARGET_WUB or PROGRAMME_TARGET_WOMEN")
    registered = serializers.IntegerField(help_text="Registered vendors in the programme")
    placed = serializers.IntegerField(help_text="Of those, vendors holding an active lease")
    registered_percent = serializers.FloatField(allow_null=True, help_text=PERCENT_HELP)
    placed_percent = serializers.FloatField(allow_null=True, help_text=PERCENT_HELP)


class VendorTotalsSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    placed = serializers.IntegerField()
    both_programmes_registered = serializers.IntegerField()
    both_programmes_placed = serializers.IntegerField()
    no_programme_registered = serializers.IntegerField()
    no_programme_placed = serializers.IntegerField()
    without_home_kelurahan_registered = serializers.IntegerField()
    without_home_kelurahan_placed = serializers.IntegerField()


class OutletTotalsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    stalls = StallCountsSerializer()
    occupancy_percent = serializers.FloatField(
        allow_null=True, help_text="Leased stalls as a share of all stalls. " + PERCENT_HELP
    )


class KecamatanVendorsSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    placed = serializers.IntegerField()
    wub_registered = serializers.IntegerField()
    wub_placed = serializers.IntegerField()
    women_registered = serializers.IntegerField()
    women_placed = serializers.IntegerField()
    both_programmes_registered = serializers.IntegerField()
    both_programmes_placed = serializers.IntegerField()


class KecamatanProgressSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    vendors = KecamatanVendorsSerializer(help_text="Vendors whose home kelurahan is here")
    outlets = serializers.IntegerField(help_text="Outlets on assets in this kecamatan")
    stalls = StallCountsSerializer()
    occupancy_percent = serializers.FloatField(allow_null=True, help_text=PERCENT_HELP)
    kelurahan = serializers.IntegerField(help_text="Kelurahan in this kecamatan")
    kelurahan_with_outlet = serializers.IntegerField()


class DistrictRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class KelurahanRefSerializer(DistrictRefSerializer):
    kecamatan_code = serializers.CharField()


class WithoutOutletSerializer(serializers.Serializer):
    kecamatan = DistrictRefSerializer(many=True)
    kelurahan = KelurahanRefSerializer(many=True)


class ProgrammeStatsSerializer(serializers.Serializer):
    programmes = ProgrammeSerializer(many=True)
    vendors = VendorTotalsSerializer()
    outlets = OutletTotalsSerializer()
    kecamatan = KecamatanProgressSerializer(many=True, help_text="All 11 kecamatan, by code")
    without_outlet = WithoutOutletSerializer(
        help_text="Kecamatan and kelurahan with no outlet yet (Perda Kota Depok 3/2024)"
    )


class ProgrammeStatsView(GenericAPIView):
    """Programme progress for the city's staff (vendors 403, anonymous 401)."""

    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    serializer_class = ProgrammeStatsSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        operation_id="stats_programme_retrieve",
        summary="Programme progress: vendors registered and placed, outlets and stalls",
        description=(
            "Vendors registered and placed (holding an active lease) per programme against the "
            "targets, and per home kecamatan; outlets, stalls by status and occupancy per "
            "kecamatan (all 11, zeros included); the kecamatan and kelurahan with no outlet yet. "
            "A vendor in both programmes counts once in each programme, once in the totals and "
            "once in `both_programmes_*`, so the programme figures may add up to more than the "
            "total."
        ),
        responses={
            200: ProgrammeStatsSerializer,
            401: OpenApiResponse(description="Not signed in"),
            403: OpenApiResponse(description="The role may not do this (vendors)"),
        },
    )
    def get(self, request):
        return Response(ProgrammeStatsSerializer(programme_stats()).data)
