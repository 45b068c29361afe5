"""Rounds, applications and a round's results."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import FiniteFloatField, IdField
from api.outlets.serializers._common import (
    NULLABLE_GROUP_CUTOFFS,
    NULLABLE_PRIORITIES,
    ClaimsCountedSerializer,
    PrioritySerializer,
    ResponseModelSerializer,
)
from outlets.models import (
    AllocationRound,
    Application,
    Offer,
    StallKind,
)


class RoundGroupSerializer(serializers.Serializer):
    outlet = serializers.IntegerField()
    outlet_name = serializers.CharField()
    kecamatan_code = serializers.CharField(allow_null=True)
    stall_kind = serializers.ChoiceField(choices=StallKind.choices)
    stalls = serializers.IntegerField(help_text="Stalls of this kind in the outlet.")
    capacity = serializers.IntegerField(help_text="Vacant stalls of this kind now.")


class RoundSerializer(ResponseModelSerializer):
    outlets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    seed = serializers.SerializerMethodField()
    seed_commitment = serializers.SerializerMethodField()
    applications_count = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()

    class Meta:
        model = AllocationRound
        fields = [
            "id", "name", "status", "outlets", "opens_at", "closes_at", "acceptance_days",
            "lease_months", "women_reserve_share", "category_cap", "max_choices",
            "objection_days", "appeal_days", "decline_penalty", "seed_commitment", "seed",
            "applications_count", "groups", "created_at",
            "opened_at", "closed_at", "allocated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_seed(self, obj) -> str | None:
        """Secret until the round is allocated."""
        return obj.revealed_seed

    def get_seed_commitment(self, obj) -> str | None:
        return obj.seed_commitment or None

    def get_applications_count(self, obj) -> int:
        if hasattr(obj, "applications_count"):
            return obj.applications_count
        return obj.applications.live().count()

    @extend_schema_field(RoundGroupSerializer(many=True))
    def get_groups(self, obj) -> list:
        groups = self.context.get("round_groups", {})
        return groups.get(obj.pk, [])


class RoundInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    outlets = serializers.ListField(child=IdField(), max_length=1000)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    acceptance_days = serializers.IntegerField(min_value=1, max_value=60, default=7)
    lease_months = serializers.IntegerField(
        min_value=1,
        max_value=60,
        default=12,
        help_text="At most 60: PP 27/2014 art. 29 caps a lease of regional property at 5 years.",
    )
    women_reserve_share = FiniteFloatField(min_value=0, max_value=1, default=0.0)
    category_cap = serializers.IntegerField(
        min_value=1, max_value=10000, allow_null=True, default=None
    )
    max_choices = serializers.IntegerField(min_value=1, max_value=10, default=3)
    objection_days = serializers.IntegerField(
        min_value=0,
        max_value=30,
        default=0,
        help_text="Days after closing in which applicants may object to their facts (0: none); "
        "allocation waits for the period and for every objection's decision.",
    )
    appeal_days = serializers.IntegerField(
        min_value=0, max_value=60, default=14, help_text="Days after allocation to appeal."
    )
    decline_penalty = serializers.BooleanField(
        default=False,
        help_text="A vendor who declined an offer in the 12 months before closing counts as a "
        "non-member (once).",
    )


class ChoiceInputSerializer(serializers.Serializer):
    outlet = IdField()
    stall_kind = serializers.ChoiceField(choices=StallKind.choices)


class ApplicationInputSerializer(serializers.Serializer):
    choices = ChoiceInputSerializer(
        many=True, max_length=100, help_text="Ranked, most preferred first, distinct groups."
    )


class AssignedSerializer(serializers.Serializer):
    outlet = serializers.IntegerField()
    stall_kind = serializers.ChoiceField(choices=StallKind.choices)
    stall = serializers.IntegerField()
    stall_code = serializers.CharField()
    choice_rank = serializers.IntegerField()


class ChoiceSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    outlet = serializers.IntegerField(source="outlet_id")
    outlet_name = serializers.CharField()  # annotated by the selectors
    stall_kind = serializers.ChoiceField(choices=StallKind.choices)
    priority = PrioritySerializer(allow_null=True, help_text="Known once the round is allocated.")


class OfferBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outlet = serializers.IntegerField(source="stall.outlet_id")
    stall = serializers.IntegerField(source="stall_id")
    stall_code = serializers.CharField(source="stall.code")
    stall_kind = serializers.ChoiceField(source="stall.kind", choices=StallKind.choices)
    choice_rank = serializers.IntegerField()
    status = serializers.CharField(source="effective_status")  # expired once past its time
    expires_at = serializers.DateTimeField()


def _offer_of(application: Application) -> Offer | None:
    try:
        return application.offer
    except Offer.DoesNotExist:
        return None


def assigned_of(application: Application) -> dict | None:
    offer = _offer_of(application)
    if offer is None:
        return None
    return {
        "outlet": offer.stall.outlet_id,
        "stall_kind": offer.stall.kind,
        "stall": offer.stall_id,
        "stall_code": offer.stall.code,
        "choice_rank": offer.choice_rank,
    }


class ApplicationSerializer(ResponseModelSerializer):
    round_name = serializers.CharField(source="round.name", read_only=True)
    round_status = serializers.CharField(source="round.status", read_only=True)
    choices = ChoiceSerializer(many=True, read_only=True)
    priority = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    assigned = serializers.SerializerMethodField()
    offer = serializers.SerializerMethodField()
    seed_commitment = serializers.CharField(source="round.seed_commitment", read_only=True)
    seed = serializers.SerializerMethodField()
    claims = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id", "round", "round_name", "round_status", "status", "choices", "priority",
            "claims", "groups", "assigned", "offer", "seed_commitment", "seed", "created_at",
            "updated_at", "withdrawn_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(NULLABLE_PRIORITIES)
    def get_priority(self, obj) -> list:
        """The priority key at each choice, in choice order (null before allocation)."""
        return [c.priority for c in obj.choices.all()]

    @extend_schema_field(NULLABLE_GROUP_CUTOFFS)
    def get_groups(self, obj) -> list:
        """Each chosen group's capacity, reserved seats and cutoff, in choice order."""
        run = getattr(obj.round, "run", None)  # the reverse one-to-one raises AttributeError
        figures = run.figures if run is not None else None
        if not figures:
            return [None for _ in obj.choices.all()]
        by_key = {(g["outlet"], g["stall_kind"]): g for g in figures.get("groups", [])}
        out = []
        for choice in obj.choices.all():
            group = by_key.get((choice.outlet_id, choice.stall_kind))
            out.append(
                None if group is None else {k: group[k] for k in ("capacity", "reserved", "cutoff")}
            )
        return out

    @extend_schema_field(AssignedSerializer(allow_null=True))
    def get_assigned(self, obj):
        return assigned_of(obj)

    @extend_schema_field(OfferBriefSerializer(allow_null=True))
    def get_offer(self, obj):
        offer = _offer_of(obj)
        return OfferBriefSerializer(offer).data if offer is not None else None

    def get_seed(self, obj) -> str | None:
        return obj.round.revealed_seed

    @extend_schema_field(ClaimsCountedSerializer(allow_null=True))
    def get_claims(self, obj):
        """My claims as the allocation counted them (null before allocation)."""
        return obj.claims


class GroupResultSerializer(serializers.Serializer):
    outlet = serializers.IntegerField()
    stall_kind = serializers.ChoiceField(choices=StallKind.choices)
    capacity = serializers.IntegerField()
    reserved = serializers.IntegerField()
    assigned = serializers.IntegerField()
    cutoff = PrioritySerializer(allow_null=True)
    reserved_assigned = serializers.IntegerField()
    reserved_cutoff = PrioritySerializer(allow_null=True)
    capped_categories = serializers.ListField(child=serializers.CharField())


class ResultApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    vendor = serializers.IntegerField(source="vendor_id")
    status = serializers.CharField()
    choices = ChoiceSerializer(many=True)
    priority = serializers.SerializerMethodField()
    claims = serializers.SerializerMethodField()
    assigned = serializers.SerializerMethodField()

    @extend_schema_field(ClaimsCountedSerializer(allow_null=True))
    def get_claims(self, obj):
        """Which claims were made and verified (and so counted), for outlet managers; null for
        planners, to whom a vendor's programme membership and domicile are personal data."""
        return obj.claims if self.context.get("show_claims") else None

    @extend_schema_field(NULLABLE_PRIORITIES)
    def get_priority(self, obj) -> list:
        return [c.priority for c in obj.choices.all()]

    @extend_schema_field(AssignedSerializer(allow_null=True))
    def get_assigned(self, obj):
        return assigned_of(obj)


class RoundResultsSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round_.pk")
    seed = serializers.CharField(source="run.seed")
    seed_commitment = serializers.CharField(source="round_.seed_commitment")
    engine_version = serializers.CharField(source="run.engine_version")
    input_sha256 = serializers.CharField(source="run.input_sha256")
    allocated_at = serializers.DateTimeField(source="run.created_at")
    counts = serializers.DictField(child=serializers.IntegerField(), source="run.figures.counts")
    groups = GroupResultSerializer(many=True, source="run.figures.groups")
    applications = ResultApplicationSerializer(many=True)
