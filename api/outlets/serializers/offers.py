"""Offers and leases."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.outlets.serializers._common import (
    DerivedStateMixin,
    ResponseModelSerializer,
)
from outlets.models import (
    Lease,
    Offer,
    StallKind,
)


class LeaseSerializer(DerivedStateMixin, ResponseModelSerializer):
    outlet = serializers.IntegerField(source="stall.outlet_id", read_only=True)
    stall_code = serializers.CharField(source="stall.code", read_only=True)
    vendor_business_name = serializers.CharField(source="vendor.business_name", read_only=True)

    class Meta:
        model = Lease
        fields = [
            "id", "offer", "outlet", "stall", "stall_code", "vendor", "vendor_business_name",
            "start_date", "end_date", "monthly_fee", "status", "termination_reason",
            "terminated_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
        # A lease from its end date reads ended (or renewed), with no job run (#16).
        extra_kwargs = {"status": {"source": "effective_status"}}


class OfferSerializer(DerivedStateMixin, ResponseModelSerializer):
    round = serializers.IntegerField(source="application.round_id", read_only=True)
    outlet = serializers.IntegerField(source="stall.outlet_id", read_only=True)
    stall_code = serializers.CharField(source="stall.code", read_only=True)
    stall_kind = serializers.ChoiceField(
        source="stall.kind", choices=StallKind.choices, read_only=True
    )
    monthly_fee = serializers.DecimalField(
        source="stall.monthly_fee", max_digits=14, decimal_places=2, read_only=True
    )
    lease = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id", "application", "round", "outlet", "stall", "stall_code", "stall_kind",
            "monthly_fee", "choice_rank", "status", "expires_at", "decided_at", "created_at",
            "lease",
        ]  # fmt: skip
        read_only_fields = fields
        # Expired once past its time, whether or not `expire_offers` has written it yet.
        extra_kwargs = {
            "status": {"source": "effective_status"},
            "decided_at": {"source": "effective_decided_at"},
        }

    @extend_schema_field(LeaseSerializer(allow_null=True))
    def get_lease(self, obj):
        lease = (
            Lease.objects.with_state().filter(offer=obj).select_related("stall", "vendor").first()
        )
        return LeaseSerializer(lease).data if lease is not None else None


class TerminateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)
