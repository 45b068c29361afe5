"""Serializers of the outlets area: request shapes (`*InputSerializer`) and response shapes.

Request serializers check types and ranges only; the services decide the rest. Response shapes are
spelled out field by field so the OpenAPI schema says exactly what a client gets. No serializer
has a field that could carry a NIK back: `nik` exists only as a write-only input.

Who sees what of a vendor (her personal data are her name, masked NIK, birth date, gender, phone
and home kelurahan):

- the vendor herself: her whole profile (`VendorSerializer`), birth date excepted;
- outlet managers, who verify her programme and domicile claims against her KTP and the
  programme lists and who manage her lease: `ManagedVendorSerializer`, i.e. her name, masked
  NIK, phone, home kelurahan and claims, but not her birth date or gender (the service checks
  those against the NIK itself);
- everyone else (planners, asset staff): only her pseudonymous id, and on a lease her business
  name, which is public on the stall anyway. Results, offers, leases and statistics carry
  nothing more.
"""

import copy

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import FiniteFloatField, IdField
from api.schema_constraints import (
    NIB_PATTERN,
    NIK_PATTERN,
    PASSWORD_PATTERN,
    TEXT_PATTERN,
    USERNAME_PATTERN,
    PatternCharField,
    kelurahan_code_pattern,
)
from outlets.models import (
    PHONE_RE,
    AllocationRound,
    Application,
    Claim,
    Lease,
    Offer,
    Outlet,
    ProductCategory,
    Stall,
    StallKind,
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


# --- outlets and stalls ----------------------------------------------------------------------


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


# --- vendors ---------------------------------------------------------------------------------


class VendorSerializer(ResponseModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    home_kelurahan_code = serializers.CharField(
        source="home_kelurahan_id", read_only=True, allow_null=True
    )
    home_kecamatan_code = serializers.SerializerMethodField()
    verified_claims = serializers.SerializerMethodField()

    class Meta:
        model = Vendor
        fields = [
            "id", "username", "full_name", "nik_masked", "gender", "phone", "business_name",
            "product_category", "nib", "wub_participant", "women_programme",
            "home_kelurahan_code", "home_kecamatan_code", "verified_claims", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_home_kecamatan_code(self, obj) -> str | None:
        return obj.home_kelurahan.parent_id if obj.home_kelurahan_id else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Claim.choices)))
    def get_verified_claims(self, obj) -> list:
        """The claims an outlet manager has verified; only those count in allocation."""
        if obj.pk is None:
            return []
        return sorted(live_verifications(obj))


class ManagedVendorSerializer(ResponseModelSerializer):
    """A vendor's record as outlet managers see it (no birth date, no gender)."""

    username = serializers.CharField(source="user.username", read_only=True)
    home_kelurahan_code = serializers.CharField(
        source="home_kelurahan_id", read_only=True, allow_null=True
    )
    home_kecamatan_code = serializers.SerializerMethodField()
    duplicate_nik_attempts = serializers.IntegerField(
        source="duplicate_nik_attempts_count",
        read_only=True,
        help_text="Registrations refused because they gave this vendor's NIK: tell her.",
    )
    last_duplicate_nik_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True)
    claims = serializers.SerializerMethodField()

    class Meta:
        model = Vendor
        fields = [
            "id", "username", "full_name", "nik_masked", "phone", "business_name",
            "product_category", "nib", "wub_participant", "women_programme",
            "home_kelurahan_code", "home_kecamatan_code", "claims", "duplicate_nik_attempts",
            "last_duplicate_nik_attempt_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_home_kecamatan_code(self, obj) -> str | None:
        return obj.home_kelurahan.parent_id if obj.home_kelurahan_id else None

    @extend_schema_field(ClaimVerificationsSerializer)
    def get_claims(self, obj) -> dict:
        """Each claim: made or not, and its live verification (who, when, what was checked)."""
        live = live_verifications(obj)
        out = {}
        for claim, made in claimed_values(obj).items():
            row = live.get(claim)
            out[claim] = {
                "claimed": made,
                "verified": row is not None,
                "verified_by": row.verified_by.get_username() if row else None,
                "verified_at": _DATETIME.to_representation(row.verified_at) if row else None,
                "reason": row.reason if row else None,
            }
        return out


class VerifyInputSerializer(serializers.Serializer):
    claims = serializers.ListField(
        child=serializers.ChoiceField(choices=Claim.choices),
        allow_empty=False,
        max_length=len(Claim.choices),
        help_text="The claims checked: wub_participant, women_programme, domicile.",
    )
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        help_text="What was checked, e.g. the WUB participant list 2026 or the KTP's address.",
    )


class VendorRegisteredSerializer(VendorSerializer):
    token = serializers.CharField(read_only=True, help_text="API token: Authorization: Token …")

    class Meta(VendorSerializer.Meta):
        fields = [*VendorSerializer.Meta.fields, "token"]
        read_only_fields = fields


class VendorRegisterInputSerializer(serializers.Serializer):
    # The patterns document what the service checks (`outlets.services.vendor_register`).
    username = PatternCharField(max_length=150, pattern=USERNAME_PATTERN)
    password = PatternCharField(
        max_length=128,
        write_only=True,
        style={"input_type": "password"},
        pattern=PASSWORD_PATTERN,
        schema_min_length=8,
    )
    full_name = PatternCharField(max_length=200, pattern=TEXT_PATTERN)
    nik = PatternCharField(
        max_length=32,
        write_only=True,
        help_text="16-digit NIK. Stored encrypted; never returned (only nik_masked).",
        pattern=NIK_PATTERN,
    )
    phone = PatternCharField(max_length=20, pattern=PHONE_RE)
    business_name = PatternCharField(max_length=200, pattern=TEXT_PATTERN)
    product_category = serializers.ChoiceField(choices=ProductCategory.choices)
    nib = PatternCharField(
        max_length=13, required=False, allow_blank=True, default="", pattern=NIB_PATTERN
    )
    wub_participant = serializers.BooleanField(required=False, default=False)
    women_programme = serializers.BooleanField(required=False, default=False)
    home_kelurahan_code = PatternCharField(
        max_length=16,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="Kemendagri code of a Kota Depok kelurahan, e.g. 32.76.06.1002.",
        pattern=kelurahan_code_pattern,
    )


class VendorUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    full_name = PatternCharField(max_length=200, required=False, pattern=TEXT_PATTERN)
    phone = PatternCharField(max_length=20, required=False, pattern=PHONE_RE)
    business_name = PatternCharField(max_length=200, required=False, pattern=TEXT_PATTERN)
    product_category = serializers.ChoiceField(choices=ProductCategory.choices, required=False)
    nib = PatternCharField(max_length=13, required=False, allow_blank=True, pattern=NIB_PATTERN)
    wub_participant = serializers.BooleanField(required=False)
    women_programme = serializers.BooleanField(required=False)
    home_kelurahan_code = PatternCharField(
        max_length=16,
        required=False,
        allow_null=True,
        allow_blank=True,
        pattern=kelurahan_code_pattern,
    )


# --- rounds ----------------------------------------------------------------------------------


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
            "seed_commitment", "seed", "applications_count", "groups", "created_at",
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


# --- applications ----------------------------------------------------------------------------


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


# --- results ---------------------------------------------------------------------------------


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


# --- offers and leases -----------------------------------------------------------------------


class LeaseSerializer(ResponseModelSerializer):
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
        lease = Lease.objects.filter(offer=obj).select_related("stall", "vendor").first()
        return LeaseSerializer(lease).data if lease is not None else None


class TerminateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)
