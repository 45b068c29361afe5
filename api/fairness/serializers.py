"""Public results (no personal data), objections, appeals and their decisions."""

from rest_framework import serializers

from api.fields import IdField
from api.outlets.serializers._common import RejectUnknownFieldsMixin, ResponseModelSerializer
from fairness.models import Appeal, Decision, Objection
from outlets.models import Claim, RoundStatus

DECISIONS = [(Decision.UPHELD, Decision.UPHELD.label), (Decision.REJECTED, Decision.REJECTED.label)]


class PublicParamsSerializer(serializers.Serializer):
    women_reserve_share = serializers.FloatField()
    category_cap = serializers.IntegerField(allow_null=True)
    max_choices = serializers.IntegerField()
    objection_days = serializers.IntegerField()
    appeal_days = serializers.IntegerField()
    decline_penalty = serializers.BooleanField()


class DecisionCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    upheld = serializers.IntegerField()
    rejected = serializers.IntegerField()


class PublicCutoffSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    local = serializers.IntegerField()
    lottery = serializers.CharField()


class PublicGroupSerializer(serializers.Serializer):
    id = serializers.CharField(help_text='"<outlet id>/<stall kind>".')
    capacity = serializers.IntegerField()
    reserved = serializers.IntegerField()
    applicants = serializers.IntegerField(help_text="Applications that listed the group.")
    offers = serializers.IntegerField()
    cutoff = PublicCutoffSerializer(allow_null=True)


class PublicChoiceSerializer(serializers.Serializer):
    group = serializers.CharField(allow_null=True)
    local = serializers.IntegerField()


class PublicClaimSerializer(serializers.Serializer):
    verified = serializers.BooleanField()
    evidence = serializers.CharField(allow_null=True)


class PublicVerifiedSerializer(serializers.Serializer):
    wub_participant = PublicClaimSerializer()
    women_programme = PublicClaimSerializer()
    domicile = PublicClaimSerializer()


class PublicApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The application's public id (the lottery's input).")
    programme = serializers.IntegerField()
    women_programme = serializers.BooleanField()
    decline_penalty = serializers.BooleanField()
    lottery = serializers.CharField()
    choices = PublicChoiceSerializer(many=True)
    outcome = serializers.CharField(allow_null=True)
    choice_rank = serializers.IntegerField(allow_null=True)
    verified = PublicVerifiedSerializer()


class PublicRoundSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=RoundStatus.choices)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    applied = serializers.IntegerField(help_text="Live applications.")
    seed_commitment = serializers.CharField()


class PublicRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=RoundStatus.choices)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    allocated_at = serializers.DateTimeField(allow_null=True)
    params = PublicParamsSerializer()
    rules = serializers.ListField(child=serializers.CharField(), help_text="The rules in words.")
    seed_commitment = serializers.CharField()
    seed = serializers.CharField(allow_null=True)
    engine_version = serializers.CharField(allow_null=True)
    input_sha256 = serializers.CharField(allow_null=True)
    result_sha256 = serializers.CharField(allow_null=True)
    applied = serializers.IntegerField()
    stalls = serializers.IntegerField()
    objections = DecisionCountsSerializer()
    appeals = DecisionCountsSerializer()
    groups = PublicGroupSerializer(many=True)
    applications = PublicApplicationSerializer(many=True)


class ObjectionInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    application = IdField()
    fact = serializers.ChoiceField(choices=Claim.choices)
    statement = serializers.CharField(max_length=2000)


class AppealInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    application = IdField()
    statement = serializers.CharField(max_length=2000)


class DecisionInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=DECISIONS)
    reason = serializers.CharField(max_length=2000)


class ObjectionSerializer(ResponseModelSerializer):
    class Meta:
        model = Objection
        fields = [
            "id", "application", "fact", "statement", "status", "decision_reason",
            "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class AppealSerializer(ResponseModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id", "application", "statement", "status", "decision_reason", "decided_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class FactSerializer(serializers.Serializer):
    fact = serializers.ChoiceField(choices=Claim.choices)
    claimed = serializers.BooleanField()
    verified = serializers.BooleanField()


class FactsSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    round = serializers.IntegerField()
    facts = FactSerializer(many=True)
    domicile_kecamatan = serializers.CharField(allow_null=True)
