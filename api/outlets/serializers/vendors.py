"""Vendors as each role sees them, registration and profile input, claim verification."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.outlets.serializers._common import (
    _DATETIME,
    ClaimVerificationsSerializer,
    RejectUnknownFieldsMixin,
    ResponseModelSerializer,
    claimed_values,
    live_verifications,
)
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
    Claim,
    ProductCategory,
    Vendor,
)


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
