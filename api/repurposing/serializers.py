"""Serializers and OpenAPI shapes for repurposing: assessments, reclassifications, statistics.

Assessments keep each check's figures next to `rule`, `passed` and `detail`, so their schema is
written out by hand (objects with known keys plus additional properties) rather than inferred.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets_app.assessment import RULES
from assets_app.models import FacilityType, Reclassification, Status, Use
from assets_app.selectors import reclassification_transitions

NUMBER_OR_NULL = {"type": "number", "nullable": True}
INTEGER_OR_NULL = {"type": "integer", "nullable": True}

CHECK_SCHEMA = {
    "type": "object",
    "required": ["rule", "passed", "detail"],
    "properties": {
        "rule": {"type": "string", "enum": list(RULES)},
        "passed": {"type": "boolean"},
        "detail": {"type": "string"},
    },
    "additionalProperties": True,
    "description": "One rule's verdict; the rule's figures sit beside these keys.",
}

ALTERNATIVE_SCHEMA = {
    "type": "object",
    "required": ["distance_m", "covers_population"],
    "description": (
        "A city asset (`asset`) or a reference facility (`facility`, `name`, `provider`)."
    ),
    "properties": {
        "asset": {"type": "integer"},
        "facility": {"type": "integer"},
        "name": {"type": "string"},
        "provider": {"type": "string"},
        "distance_m": {"type": "number"},
        "covers_population": {"type": "integer"},
    },
}

COVERAGE_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "Coverage and capacity figures; null where they do not apply.",
    "properties": {
        "facility_type": {"type": "string"},
        "radius_m": {"type": "number"},
        "covered_population": {"type": "integer"},
        "newly_uncovered_population": {"type": "integer"},
        "nearest_alternative_m": NUMBER_OR_NULL,
        "alternatives_count": {"type": "integer"},
        "alternatives": {"type": "array", "items": ALTERNATIVE_SCHEMA},
        "catchment_cells": {"type": "integer"},
        "method": {"type": "string"},
        "residents_per_facility": {"type": "integer"},
        "standard_source": {"type": "string"},
        "kecamatan": {"type": "string"},
        "kecamatan_population": {"type": "integer"},
        "needed": {"type": "integer"},
        "available_after": {"type": "integer"},
    },
    "additionalProperties": True,
}

ASSESSMENT_SCHEMA = {
    "type": "object",
    "required": [
        "asset",
        "repurposable",
        "assessed_at",
        "population_source",
        "checks",
        "coverage",
    ],
    "properties": {
        "asset": {"type": "integer"},
        "repurposable": {"type": "boolean"},
        "assessed_at": {"type": "string", "format": "date-time"},
        "population_source": {"type": "string"},
        "checks": {"type": "array", "items": CHECK_SCHEMA},
        "coverage": COVERAGE_SCHEMA,
    },
}


@extend_schema_field(ASSESSMENT_SCHEMA)
class AssessmentField(serializers.JSONField):
    """An assessment snapshot, passed through as stored."""


@extend_schema_field({**ASSESSMENT_SCHEMA, "nullable": True})
class NullableAssessmentField(serializers.JSONField):
    pass


class TransitionSerializer(serializers.Serializer):
    status = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)


class ReclassificationSerializer(serializers.ModelSerializer):
    asset_register_code = serializers.CharField(source="asset.register_code", read_only=True)
    asset_name = serializers.CharField(source="asset.name", read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
    assessment = AssessmentField(read_only=True)
    decision_assessment = NullableAssessmentField(read_only=True, allow_null=True)
    previous_use = serializers.CharField(read_only=True)
    previous_facility_type = serializers.CharField(read_only=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Reclassification
        fields = [
            "id",
            "asset",
            "asset_register_code",
            "asset_name",
            "status",
            "reason",
            "assessment",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "decision_assessment",
            "override_reason",
            "previous_use",
            "previous_facility_type",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "decree_number",
            "decree_date",
            "handover_number",
            "handover_date",
            "from_agency",
            "to_agency",
        ]
        read_only_fields = fields


class ReclassificationDetailSerializer(ReclassificationSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta(ReclassificationSerializer.Meta):
        fields = [*ReclassificationSerializer.Meta.fields, "transitions"]
        read_only_fields = fields

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, obj) -> list[dict]:
        return TransitionSerializer(reclassification_transitions(obj), many=True).data


class ProposeSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, help_text="Why the asset should move to economic use."
    )


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
    decree_number = serializers.CharField(
        max_length=100, help_text="The mayor's decree (SK Wali Kota) number."
    )
    decree_date = serializers.DateField()
    decree_document = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="Id of the signed decree: a PDF document (kind decree) attached to this "
        "reclassification.",
    )
    handover_number = serializers.CharField(
        max_length=100, help_text="The hand-over record (berita acara serah terima) number."
    )
    handover_date = serializers.DateField()
    override_reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the fresh assessment fails.",
    )


class RejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


# --- statistics ------------------------------------------------------------------------------

FACILITY_STATS_SCHEMA = {
    "type": "object",
    "required": ["count", "needed", "covered_share", "radius_m", "residents_per_facility"],
    "properties": {
        "count": {"type": "integer", "description": "serving facilities in the district"},
        "needed": {**INTEGER_OR_NULL, "description": "ceil(population / residents per facility)"},
        "covered_share": {
            **NUMBER_OR_NULL,
            "description": "share of the population within the radius of a serving facility",
        },
        "radius_m": NUMBER_OR_NULL,
        "residents_per_facility": INTEGER_OR_NULL,
    },
}


def _counts(keys) -> dict:
    return {
        "type": "object",
        "properties": {key: {"type": "integer"} for key in keys},
        "required": list(keys),
    }


DISTRICT_STATS_SCHEMA = {
    "type": "object",
    "required": [
        "code",
        "name",
        "level",
        "parent_code",
        "area_km2",
        "population",
        "assets",
        "land_area_m2",
        "repurposable",
        "facilities",
    ],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "level": {"type": "string", "enum": ["kecamatan", "kelurahan"]},
        "parent_code": {"type": "string", "nullable": True},
        "area_km2": {"type": "number"},
        "population": {"type": "integer"},
        "assets": {
            "type": "object",
            "required": ["total", "by_use", "by_status"],
            "properties": {
                "total": {"type": "integer"},
                "by_use": _counts(Use.values),
                "by_status": _counts(Status.values),
            },
        },
        "land_area_m2": {"type": "number", "description": "assets not disposed"},
        "repurposable": {
            "type": "object",
            "required": ["count", "land_area_m2"],
            "properties": {"count": {"type": "integer"}, "land_area_m2": {"type": "number"}},
        },
        "facilities": {
            "type": "object",
            "properties": dict.fromkeys(FacilityType.values, FACILITY_STATS_SCHEMA),
            "required": list(FacilityType.values),
        },
        "geometry": {"type": "object", "description": "GeoJSON boundary (GeoJSON output only)"},
    },
}

DISTRICT_STATS_RESPONSE_SCHEMA = {
    "type": "object",
    "required": [
        "count",
        "next",
        "previous",
        "level",
        "population_source",
        "population_year",
        "results",
    ],
    "properties": {
        "count": {"type": "integer"},
        "next": {"type": "string", "nullable": True},
        "previous": {"type": "string", "nullable": True},
        "level": {"type": "string", "enum": ["kecamatan", "kelurahan"]},
        "population_source": {"type": "string"},
        "population_year": {"type": "integer", "description": "The population figures' year"},
        "results": {"type": "array", "items": DISTRICT_STATS_SCHEMA},
    },
}
