"""Admin for reference facilities: officials read and correct rows; every change is kept, and
every write re-assesses the city's assets it can move, in the same transaction."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import ngettext

from core.admin import HistoryAdmin
from facilities.importing import OUTSIDE_AREA, outside_area
from facilities.models import ReferenceFacility
from facilities.services import facility_footprints, facility_reassess_around
from geodata.boundaries import locate_points


class ReferenceFacilityForm(forms.ModelForm):
    """A point the import would refuse (not in or near Depok) is refused here too."""

    class Meta:
        model = ReferenceFacility
        fields = "__all__"

    def clean(self):
        data = super().clean()
        lon, lat = data.get("lon"), data.get("lat")
        column = outside_area(lon, lat) if lon is not None and lat is not None else None
        if column is not None:
            self.add_error(column, str(OUTSIDE_AREA).format(lon=lon, lat=lat))
        return data


@admin.register(ReferenceFacility)
class ReferenceFacilityAdmin(HistoryAdmin):
    """Imports go through `import_facilities` or the API; a row added, corrected or deleted here
    re-assesses the city assets its old and new footprint can move (a school that became a
    clinic moves schools near the old point and clinics near the new one), not every asset of
    its type as an import does."""

    list_display = [
        "national_id",
        "name",
        "kind",
        "facility_type",
        "category",
        "provider",
        "status",
        "kecamatan",
        "synthetic",
    ]
    list_filter = ["kind", "facility_type", "provider", "status", "synthetic"]
    search_fields = ["national_id", "name"]
    readonly_fields = ["kelurahan", "kecamatan", "created_at", "updated_at"]
    raw_id_fields = ["asset"]
    form = ReferenceFacilityForm

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = None
            if change:
                # `obj` holds the form's values already: the row as it was is read again.
                before = facility_footprints(
                    ReferenceFacility.objects.select_for_update().get(pk=obj.pk)
                )
            # The district follows the point, by the rule the import applies.
            [kelurahan], [kecamatan] = locate_points([(obj.lon, obj.lat)])
            obj.kelurahan_id, obj.kecamatan_id = kelurahan, kecamatan
            super().save_model(request, obj, form, change)
            count = facility_reassess_around([(before, facility_footprints(obj))])
        _reassessed(request, count)

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = facility_footprints(obj)
            super().delete_model(request, obj)
            count = facility_reassess_around([(before, None)])
        _reassessed(request, count)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            rows = ReferenceFacility.objects.select_for_update().filter(
                pk__in=list(queryset.values_list("pk", flat=True))
            )
            before = [facility_footprints(f) for f in rows.order_by("pk")]
            super().delete_queryset(request, queryset)
            count = facility_reassess_around([(f, None) for f in before])
        _reassessed(request, count)


def _reassessed(request, count: int) -> None:
    if count:
        text = ngettext(
            "%(count)d city asset re-assessed.", "%(count)d city assets re-assessed.", count
        )
        messages.info(request, text % {"count": count})
