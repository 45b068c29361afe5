"""Serializers of `api/v1/programme/`: inputs refuse unknown fields and hold their values within
what the columns take; outputs carry no NIK and no name (cohort members are counted, not
listed)."""

from __future__ import annotations

from rest_framework import serializers

from api.fields import IdField
from api.outlets.serializers._common import RejectUnknownFieldsMixin, ResponseModelSerializer
from outlets.choices import Claim, StallKind
from programme.choices import LicenceKind, Programme, TargetProgramme, Topic
from programme.models import CoachingSession, CohortList, Licence, LicenceRequirement, Target

YEAR_MIN, YEAR_MAX = 2017, 2100


class CohortListSerializer(ResponseModelSerializer):
    imported_by = serializers.CharField(source="imported_by.username", read_only=True)
    members = serializers.IntegerField(read_only=True, source="member_count", default=None)

    class Meta:
        model = CohortList
        fields = [
            "id", "file_name", "file_format", "sha256", "rows", "members", "imported_by",
            "imported_at",
        ]  # fmt: skip


class CohortImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The agency's list: .csv (UTF-8) or .xlsx.")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1 = the first row under the header.")
    field = serializers.CharField()
    message = serializers.CharField()


class CohortImportReportSerializer(serializers.Serializer):
    cohort_list = serializers.IntegerField(allow_null=True)
    already_imported = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    matched = serializers.IntegerField(help_text="New members matched to a registered vendor.")
    verified = serializers.IntegerField(help_text="Claims the list verified.")
    errors = RowErrorSerializer(many=True)


class TargetSerializer(ResponseModelSerializer):
    source_url = serializers.CharField(read_only=True, help_text="Empty when not published.")

    class Meta:
        model = Target
        fields = ["id", "programme", "year", "target", "source", "source_url", "updated_at"]


class TargetInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    programme = serializers.ChoiceField(choices=TargetProgramme.choices)
    year = serializers.IntegerField(
        min_value=YEAR_MIN, max_value=YEAR_MAX, allow_null=True, help_text="Empty: overall."
    )
    target = serializers.IntegerField(min_value=1, max_value=10_000_000)
    source = serializers.CharField(max_length=300)
    source_url = serializers.URLField(max_length=300, required=False, allow_blank=True, default="")


class TargetUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    target = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False)
    source = serializers.CharField(max_length=300, required=False)
    source_url = serializers.URLField(max_length=300, required=False, allow_blank=True)


class CoachingSessionSerializer(ResponseModelSerializer):
    attendees = serializers.IntegerField(read_only=True, source="attendee_count", default=None)

    class Meta:
        model = CoachingSession
        fields = ["id", "topic", "held_on", "place", "trainer", "batch", "attendees", "created_at"]


class CoachingSessionInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    topic = serializers.ChoiceField(choices=Topic.choices)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    trainer = serializers.CharField(max_length=200)
    batch = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class AttendanceInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    vendors = serializers.ListField(child=IdField(), allow_empty=False, max_length=1000)


class LicenceSerializer(ResponseModelSerializer):
    valid = serializers.BooleanField(read_only=True, default=None)

    class Meta:
        model = Licence
        fields = ["id", "vendor", "kind", "number", "issuer", "issued_on", "expires_on", "valid"]


class LicenceInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    vendor = IdField()
    kind = serializers.ChoiceField(choices=LicenceKind.choices)
    number = serializers.CharField(max_length=40)
    issuer = serializers.CharField(max_length=200)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="SPP-IRT: derived (5 years)."
    )


class RequirementSerializer(ResponseModelSerializer):
    class Meta:
        model = LicenceRequirement
        fields = ["id", "outlet", "stall_kind", "licence_kind", "created_at"]


class RequirementInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    outlet = IdField()
    stall_kind = serializers.ChoiceField(choices=StallKind.choices)
    licence_kind = serializers.ChoiceField(choices=LicenceKind.choices)


class FunnelQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)
    programme = serializers.ChoiceField(choices=Programme.choices, required=False)
    kecamatan = serializers.RegexField(r"^32\.76\.[0-9]{2}$", max_length=8, required=False)
    format = serializers.ChoiceField(choices=["json", "csv", "xlsx"], required=False)


class FunnelRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    programme = serializers.CharField()
    kecamatan_code = serializers.CharField()
    kecamatan_name = serializers.CharField()
    recruited = serializers.IntegerField()
    coached = serializers.IntegerField()
    licensed = serializers.IntegerField()
    applied = serializers.IntegerField()
    placed = serializers.IntegerField()
    trading = serializers.IntegerField()


class FunnelStagesSerializer(serializers.Serializer):
    recruited = serializers.IntegerField()
    coached = serializers.IntegerField()
    licensed = serializers.IntegerField()
    applied = serializers.IntegerField()
    placed = serializers.IntegerField()
    trading = serializers.IntegerField()


class FunnelYearSerializer(FunnelStagesSerializer):
    year = serializers.IntegerField()
    programme = serializers.CharField()
    target = serializers.IntegerField(allow_null=True)
    recruited_percent = serializers.FloatField(allow_null=True)


class FunnelTargetSerializer(serializers.Serializer):
    programme = serializers.CharField()
    target = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()
    recruited = serializers.IntegerField()
    recruited_percent = serializers.FloatField(allow_null=True)


class FunnelSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rows = FunnelRowSerializer(many=True)
    years = FunnelYearSerializer(many=True)
    total = FunnelStagesSerializer()
    targets = FunnelTargetSerializer(many=True)


class MembershipSerializer(serializers.Serializer):
    programme = serializers.CharField()
    year = serializers.IntegerField()
    kecamatan_code = serializers.CharField()
    batch = serializers.CharField()
    verified = serializers.BooleanField()


class MyLicenceSerializer(serializers.Serializer):
    kind = serializers.CharField(source="licence.kind")
    number = serializers.CharField(source="licence.number")
    issuer = serializers.CharField(source="licence.issuer")
    issued_on = serializers.DateField(source="licence.issued_on")
    expires_on = serializers.DateField(source="licence.expires_on", allow_null=True)
    valid = serializers.BooleanField()


class MyRecordSerializer(serializers.Serializer):
    memberships = MembershipSerializer(many=True)
    coaching = CoachingSessionSerializer(many=True)
    licences = MyLicenceSerializer(many=True)


class ProgrammeVerifySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    claims = serializers.ListField(
        child=serializers.ChoiceField(choices=[Claim.WUB, Claim.WOMEN]),
        allow_empty=False,
        max_length=2,
    )
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class ExpiringQuerySerializer(serializers.Serializer):
    within = serializers.IntegerField(min_value=1, max_value=366, required=False, default=90)
    limit = serializers.IntegerField(required=False)
    offset = serializers.IntegerField(required=False)


class EvidenceSerializer(serializers.Serializer):
    evidence = serializers.ChoiceField(choices=["cohort_list", "manual"])
    verified_at = serializers.DateTimeField()
    cohort_list = serializers.IntegerField(required=False)
    programme = serializers.CharField(required=False)
    year = serializers.IntegerField(required=False)
    imported_at = serializers.DateTimeField(required=False)


class VerifiedSerializer(serializers.Serializer):
    vendor = serializers.IntegerField()
    claims = serializers.DictField(child=EvidenceSerializer())
