"""What the outlet area's serializers share: unknown fields refused, derived state, priorities."""

import copy

from rest_framework import serializers

from outlets.models import (
    Claim,
    Vendor,
)
from outlets.services import FIELD_NOT_WRITABLE

# Model properties that derive a reader's value from a stored column (an offer past its time is
# expired, the stall it held vacant): a field reading one is built like its column, so the
# schema does not change.
DERIVED_FROM_COLUMN = {"effective_status": "status", "effective_decided_at": "decided_at"}


class DerivedStateMixin:
    def build_field(self, field_name, info, model_class, nested_depth):
        column = DERIVED_FROM_COLUMN.get(field_name, field_name)
        return super().build_field(column, info, model_class, nested_depth)


class RejectUnknownFieldsMixin:
    """A field the request may not set is a 400 naming it, not silently ignored."""

    # The schema says so too (`api.schema.StrictAutoSchema`).
    rejects_unknown_fields = True

    def validate(self, attrs):
        initial = self.initial_data if isinstance(self.initial_data, dict) else {}
        unknown = sorted(set(initial) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [FIELD_NOT_WRITABLE] for name in unknown})
        return super().validate(attrs)


# A read-only ModelSerializer whose fields depend on its class alone. DRF builds a
# ModelSerializer's fields from the model on every instantiation (every request); here they are
# built once per class and each instance gets a deep copy, as DRF does anyway for declared
# fields. (A comment, not a docstring: the schema would show a docstring on every subclass.)
class ResponseModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)


class PrioritySerializer(serializers.Serializer):
    """A priority key: lower is better at each position, compared in order."""

    programme = serializers.IntegerField(help_text="0: a WUB or women-programme member; 1: not.")
    local = serializers.IntegerField(help_text="0: lives in the outlet's kecamatan; 1: not.")
    lottery = serializers.CharField(
        help_text='First 8 bytes, big-endian, of SHA-256("{seed}:{application_id}"), as a '
        "decimal string (a 64-bit number)."
    )


_PRIORITY_SCHEMA = {
    "type": "object",
    "properties": {
        "programme": {"type": "integer"},
        "local": {"type": "integer"},
        "lottery": {"type": "string"},
    },
    "required": ["programme", "local", "lottery"],
}
# Lists whose items may be null (before allocation): spelled out, as the generator would make
# the list itself nullable instead.
NULLABLE_PRIORITIES = {"type": "array", "items": {**_PRIORITY_SCHEMA, "nullable": True}}
NULLABLE_GROUP_CUTOFFS = {
    "type": "array",
    "items": {
        "type": "object",
        "nullable": True,
        "properties": {
            "capacity": {"type": "integer"},
            "reserved": {"type": "integer"},
            "cutoff": {**_PRIORITY_SCHEMA, "nullable": True},
        },
        "required": ["capacity", "reserved", "cutoff"],
    },
}


class ClaimCountedSerializer(serializers.Serializer):
    claimed = serializers.BooleanField(help_text="The vendor makes this claim.")
    verified = serializers.BooleanField(
        help_text="An outlet manager verified it; only then did it count in the priority."
    )


class ClaimsCountedSerializer(serializers.Serializer):
    """The claims as the allocation counted them (stored when the round was allocated)."""

    wub_participant = ClaimCountedSerializer()
    women_programme = ClaimCountedSerializer()
    domicile = ClaimCountedSerializer(help_text="Home kelurahan (hence kecamatan).")


class ClaimVerificationStateSerializer(ClaimCountedSerializer):
    verified_by = serializers.CharField(allow_null=True, help_text="Username of the manager.")
    verified_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_null=True, help_text="What the manager checked.")


class ClaimVerificationsSerializer(serializers.Serializer):
    wub_participant = ClaimVerificationStateSerializer()
    women_programme = ClaimVerificationStateSerializer()
    domicile = ClaimVerificationStateSerializer()


_DATETIME = serializers.DateTimeField()


def live_verifications(vendor: Vendor) -> dict:
    """Claim -> live ClaimVerification (from `selectors.vendor_list`'s prefetch if there)."""
    rows = getattr(vendor, "live_verifications", None)
    if rows is None:
        rows = vendor.claim_verifications.filter(revoked_at=None).select_related("verified_by")
    return {row.claim: row for row in rows}


def claimed_values(vendor: Vendor) -> dict[str, bool]:
    return {
        Claim.WUB.value: vendor.wub_participant,
        Claim.WOMEN.value: vendor.women_programme,
        Claim.DOMICILE.value: vendor.home_kelurahan_id is not None,
    }
