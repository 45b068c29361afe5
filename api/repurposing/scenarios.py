"""What-if over HTTP: `POST scenarios/repurposing/` with `{"assets": [ids]}`.

A POST because the set travels in the body (up to 100 ids), but it answers like a read: nothing
is stored. The figures come from `assets_app.scenario.repurposing_scenario`; the serializers
here parse the request and give the answer its documented shape.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from api.outlets.serializers._common import RejectUnknownFieldsMixin
from api.permissions import RolePermission
from api.repurposing.serializers import CHECK_SCHEMA
from api.repurposing.views import AssessmentView
from assets_app.models import Asset, FacilityType
from assets_app.scenario import (
    ASSETS_EMPTY,
    ASSETS_TOO_MANY,
    MAX_ASSETS,
    check_asset_ids,
    repurposing_scenario,
)

# Asset ids are PostgreSQL bigints at most; a larger number is a 400, not a database error.
MAX_ID = 2**63 - 1


class RepurposingScenarioSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    assets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=MAX_ASSETS,
        error_messages={"empty": ASSETS_EMPTY, "max_length": ASSETS_TOO_MANY},
        help_text=(
            f"1 to {MAX_ASSETS} distinct ids of education or health assets with a facility type."
        ),
    )

    def validate_assets(self, value: list[int]) -> list[int]:
        try:
            return check_asset_ids(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["assets"]) from error


class ScenarioPopulationSourceSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="As GET assets/{id}/assessment/ reports it.")
    year = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()


class ScenarioVerdictAloneSerializer(serializers.Serializer):
    repurposable = serializers.BooleanField()
    newly_uncovered_population = serializers.IntegerField(
        allow_null=True, help_text="Null where coverage does not apply (no service standard)."
    )


@extend_schema_field({"type": "array", "items": CHECK_SCHEMA})
class ChecksField(serializers.JSONField):
    """The five checks, as the assessment gives them."""


class ScenarioVerdictTogetherSerializer(ScenarioVerdictAloneSerializer):
    checks = ChecksField()


class ScenarioVerdictSerializer(serializers.Serializer):
    asset = serializers.IntegerField()
    name = serializers.CharField()
    facility_type = serializers.ChoiceField(choices=FacilityType.choices)
    alone = ScenarioVerdictAloneSerializer(help_text="Today's assessment.")
    together = ScenarioVerdictTogetherSerializer(
        help_text="Assessed without the other assets of the set."
    )


class ScenarioKelurahanSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kecamatan = serializers.CharField(help_text="The kecamatan's code.")
    kecamatan_name = serializers.CharField()
    facility_type = serializers.ChoiceField(choices=FacilityType.choices)
    population = serializers.IntegerField()
    covered_before = serializers.IntegerField()
    covered_after = serializers.IntegerField()
    uncovered_after = serializers.IntegerField()
    facilities_before = serializers.IntegerField()
    facilities_after = serializers.IntegerField()
    needed = serializers.IntegerField(help_text="ceil(population / residents per facility)")


class ScenarioTotalSerializer(serializers.Serializer):
    facility_type = serializers.ChoiceField(choices=FacilityType.choices)
    population = serializers.IntegerField()
    covered_before = serializers.IntegerField()
    covered_after = serializers.IntegerField()
    outside_every_radius_after = serializers.IntegerField()
    newly_outside = serializers.IntegerField()


class ScenarioSerializer(serializers.Serializer):
    assets = serializers.ListField(child=serializers.IntegerField())
    population_source = ScenarioPopulationSourceSerializer()
    repurposable_together = serializers.BooleanField()
    verdicts = ScenarioVerdictSerializer(many=True)
    kelurahan = ScenarioKelurahanSerializer(
        many=True, help_text="Only the kelurahan where coverage or the facility count changes."
    )
    totals = ScenarioTotalSerializer(many=True, help_text="City-wide, per facility type.")


class RepurposingScenarioView(GenericAPIView):
    """`POST scenarios/repurposing/`: the roles that read assessments, for any asset they see."""

    permission_classes = [RolePermission]
    # A POST that writes nothing: the assessment's readers, not a writer role.
    write_roles = AssessmentView.read_roles
    queryset = Asset.objects.all()
    serializer_class = RepurposingScenarioSerializer
    pagination_class = None
    filter_backends: list = []
    # Each what-if re-assesses the whole city's coverage (about 0.1 s of CPU): a budget per
    # user (THROTTLE_SCENARIO) keeps one caller from holding every worker.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "scenario"

    @extend_schema(
        operation_id="scenarios_repurposing_create",
        summary="What-if: repurpose a set of facilities together (stores nothing)",
        description=(
            "Each asset's verdict alone (today's assessment) and together (assessed without the "
            "other assets of the set); per kelurahan and facility type the covered population "
            "and the serving facilities before and after, against those needed; city-wide the "
            "people outside every service radius after, and how many newly so. A 400 naming "
            "`assets` for an empty list, repeats, more than 100, an unknown id, or an asset "
            "that is not an education or health asset with a facility type."
        ),
        request=RepurposingScenarioSerializer,
        responses={
            200: ScenarioSerializer,
            400: OpenApiResponse(description="Bad input: {assets: [message]}"),
            401: OpenApiResponse(description="Not signed in"),
            403: OpenApiResponse(description="Role not allowed"),
        },
    )
    def post(self, request):
        serializer = RepurposingScenarioSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = repurposing_scenario(
            asset_ids=serializer.validated_data["assets"], queryset=self.get_queryset()
        )
        return Response(ScenarioSerializer(result).data)
