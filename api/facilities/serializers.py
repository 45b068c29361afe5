"""Serializers of reference facilities: the row, the import request and report, the link."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from assets_app.models import Asset
from facilities.importing import FORMATS
from facilities.models import ReferenceFacility


class ReferenceFacilitySerializer(serializers.ModelSerializer):
    kecamatan_code = serializers.CharField(source="kecamatan_id", read_only=True, allow_null=True)
    kelurahan_code = serializers.CharField(source="kelurahan_id", read_only=True, allow_null=True)

    class Meta:
        model = ReferenceFacility
        fields = [
            "id",
            "kind",
            "facility_type",
            "category",
            "level",
            "national_id",
            "name",
            "provider",
            "address",
            "capacity_students",
            "capacity_rombel",
            "capacity_beds",
            "status",
            "lon",
            "lat",
            "kelurahan_code",
            "kecamatan_code",
            "source",
            "synthetic",
            "asset",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FacilityImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A school list (Dapodik columns) or health-facility list (Kemenkes columns).")
    )
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, help_text=_("csv or geojson (default: from the suffix).")
    )
    source = serializers.CharField(
        max_length=300, help_text=_("Where the list comes from, with its date.")
    )


class FacilityImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("1-based data row."))
    column = serializers.CharField()
    message = serializers.CharField()


class FacilityImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField(
        help_text=_("Rows of categories the assessment does not read (SLB, klinik utama, ...).")
    )
    errors = FacilityImportErrorSerializer(many=True)
    reassessed = serializers.IntegerField(help_text=_("City assets re-assessed."))


class FacilityLinkSerializer(serializers.Serializer):
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(),
        allow_null=True,
        help_text=_("The city asset that is this facility (same facility type); null unlinks."),
    )
