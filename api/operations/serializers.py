"""Request and response shapes of the operations area. Money travels as strings of rupiah
("250000.00"); dates are YYYY-MM-DD within 2000-2100; unknown fields are a 400 naming them."""

from datetime import date
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

from api.fields import IdField
from api.outlets.serializers._common import (
    DerivedStateMixin,
    RejectUnknownFieldsMixin,
    ResponseModelSerializer,
)
from operations.models import (
    Bill,
    Finding,
    Inspection,
    OutletTerms,
    Payment,
    PaymentRegime,
    RenewalRequest,
    Tariff,
    Termination,
    TerminationGround,
    WaitlistOffer,
    WarningLetter,
    WarningReason,
)
from outlets.models import StallKind
from outlets.models._base import LEASE_MONTHS_MAX

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def Day(**kwargs) -> serializers.DateField:  # noqa: N802 - reads like a field class
    return serializers.DateField(
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)], **kwargs
    )


def Money(**kwargs) -> serializers.DecimalField:  # noqa: N802
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0.01"), **kwargs
    )


def Factor(**kwargs) -> serializers.DecimalField:  # noqa: N802
    return serializers.DecimalField(
        max_digits=6, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal("10"),
        **kwargs,
    )  # fmt: skip


class Input(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


# --- pricing ---------------------------------------------------------------------------------


class TermsInputSerializer(Input):
    regime = serializers.ChoiceField(choices=PaymentRegime.choices)
    commercial_rate_per_m2 = Money()
    due_days = serializers.IntegerField(min_value=0, max_value=60, default=10)


class TermsSerializer(ResponseModelSerializer):
    class Meta:
        model = OutletTerms
        fields = ["outlet", "regime", "commercial_rate_per_m2", "due_days", "updated_at"]
        read_only_fields = fields


class TariffInputSerializer(Input):
    outlet = IdField()
    stall_kind = serializers.ChoiceField(choices=StallKind.choices)
    base_rate_per_m2 = Money()
    location_factor = Factor(default=Decimal("1"))
    programme_factor = Factor(default=Decimal("1"))
    regulation = serializers.CharField(max_length=200)
    valid_from = Day()


class TariffSerializer(ResponseModelSerializer):
    rate_per_m2 = serializers.DecimalField(max_digits=24, decimal_places=10, read_only=True)

    class Meta:
        model = Tariff
        fields = [
            "id", "outlet", "stall_kind", "base_rate_per_m2", "location_factor",
            "programme_factor", "rate_per_m2", "regulation", "valid_from", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


# --- bills and payments ----------------------------------------------------------------------


class BillSerializer(ResponseModelSerializer):
    outlet = serializers.IntegerField(source="lease.stall.outlet_id", read_only=True)

    class Meta:
        model = Bill
        fields = [
            "id", "lease", "outlet", "period_start", "period_end", "due_date", "amount",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class PaymentInputSerializer(Input):
    lease = IdField()
    reference = serializers.CharField(max_length=64)
    amount = Money(max_value=Decimal("999999999999.99"))
    paid_on = Day()


class PaymentSerializer(ResponseModelSerializer):
    reversed = serializers.SerializerMethodField()
    reversal_reason = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id", "lease", "reference", "amount", "paid_on", "source", "receipt_number",
            "reversed", "reversal_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reversed(self, obj) -> bool:
        return hasattr(obj, "reversal")

    def get_reversal_reason(self, obj) -> str | None:
        return obj.reversal.reason if hasattr(obj, "reversal") else None


class ReasonInputSerializer(Input):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class StatementInputSerializer(Input):
    file = serializers.FileField()


class StatementReportSerializer(serializers.Serializer):
    recorded = PaymentSerializer(many=True)
    already_recorded = serializers.ListField(child=serializers.CharField())


class AccountBillSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_date = serializers.DateField(source="due")
    period_start = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    unpaid = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.ChoiceField(choices=["paid", "partly_paid", "unpaid"])


class AgingSerializer(serializers.Serializer):
    current = serializers.DecimalField(max_digits=16, decimal_places=2)
    days_1_30 = serializers.DecimalField(max_digits=16, decimal_places=2)
    days_31_60 = serializers.DecimalField(max_digits=16, decimal_places=2)
    days_61_90 = serializers.DecimalField(max_digits=16, decimal_places=2)
    days_over_90 = serializers.DecimalField(max_digits=16, decimal_places=2)


class AccountSerializer(serializers.Serializer):
    lease = serializers.IntegerField()
    on = serializers.DateField()
    billed = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    balance = serializers.DecimalField(max_digits=16, decimal_places=2)
    credit = serializers.DecimalField(max_digits=16, decimal_places=2)
    oldest_days_late = serializers.IntegerField()
    aging = AgingSerializer()
    bills = AccountBillSerializer(many=True)
    virtual_account = serializers.CharField()
    pricing = serializers.DictField(allow_null=True)


class OnQuerySerializer(serializers.Serializer):
    on = Day(required=False)


# --- warnings, terminations, inspections -----------------------------------------------------


class WarningInputSerializer(Input):
    lease = IdField()
    reason = serializers.ChoiceField(choices=WarningReason.choices)
    detail = serializers.CharField(max_length=4000, allow_blank=True, default="")
    issued_on = Day()
    deadline = Day()


class WarningSerializer(ResponseModelSerializer):
    sp = serializers.SerializerMethodField()

    class Meta:
        model = WarningLetter
        fields = [
            "id", "lease", "level", "sp", "reason", "detail", "issued_on", "deadline",
            "resolved_on", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_sp(self, obj) -> str:
        return f"SP{obj.level}"


class ResolveInputSerializer(Input):
    resolved_on = Day()


class TerminationInputSerializer(Input):
    lease = IdField()
    ground = serializers.ChoiceField(choices=TerminationGround.choices)
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    terminated_on = Day(required=False)


class TerminationSerializer(ResponseModelSerializer):
    class Meta:
        model = Termination
        fields = ["id", "lease", "ground", "reason", "terminated_on", "created_at"]
        read_only_fields = fields


class InspectionInputSerializer(Input):
    stall = IdField()
    visited_on = Day()
    finding = serializers.ChoiceField(choices=Finding.choices)
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=5)


class InspectionSerializer(ResponseModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = ["id", "stall", "lease", "visited_on", "finding", "note", "photos", "created_at"]
        read_only_fields = fields

    def get_photos(self, obj) -> list[str]:
        return [photo.image.name for photo in obj.photos.all()]


# --- renewals and the waitlist ---------------------------------------------------------------


class RenewalInputSerializer(Input):
    lease = IdField()
    months = serializers.IntegerField(min_value=1, max_value=LEASE_MONTHS_MAX)


class RenewalSerializer(ResponseModelSerializer):
    class Meta:
        model = RenewalRequest
        fields = [
            "id", "lease", "months", "status", "refusal_reason", "new_lease", "decided_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class WaitlistOfferSerializer(DerivedStateMixin, ResponseModelSerializer):
    round = serializers.IntegerField(source="application.round_id", read_only=True)
    outlet = serializers.IntegerField(source="stall.outlet_id", read_only=True)
    stall_code = serializers.CharField(source="stall.code", read_only=True)

    class Meta:
        model = WaitlistOffer
        fields = [
            "id", "application", "round", "outlet", "stall", "stall_code", "choice_rank",
            "status", "expires_at", "decided_at", "lease", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
        # Expired once past its time, whether or not `run_daily` has written it yet.
        extra_kwargs = {
            "status": {"source": "effective_status"},
            "decided_at": {"source": "effective_decided_at"},
        }


# --- reports ---------------------------------------------------------------------------------


class ReportQuerySerializer(serializers.Serializer):
    start = Day(required=False)
    end = Day(required=False)
    on = Day(required=False)
    days = serializers.IntegerField(min_value=1, max_value=366, required=False)
    min_visits = serializers.IntegerField(min_value=1, max_value=100, required=False)
    download = serializers.ChoiceField(choices=["csv", "xlsx"], required=False)


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())
