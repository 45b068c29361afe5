"""Reads of reference facilities: the list (with its filters) and the rows the assessment uses."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from facilities.models import OperatingStatus, ReferenceFacility


def reference_facility_list() -> QuerySet[ReferenceFacility]:
    return ReferenceFacility.objects.select_related("kecamatan", "kelurahan").order_by("id")


def reference_serving_rows(facility_types: Iterable[str]) -> list[tuple]:
    """(facility_type, pk, lon, lat, kecamatan code, capacity_students, capacity_beds) of the
    operating reference facilities of these types that are not a city asset (a linked one is
    counted as the asset), by pk."""
    return list(
        ReferenceFacility.objects.filter(
            facility_type__in=list(facility_types),
            status=OperatingStatus.OPERATING,
            asset__isnull=True,
        )
        .order_by("id")
        .values_list(
            "facility_type",
            "id",
            "lon",
            "lat",
            "kecamatan_id",
            "capacity_students",
            "capacity_beds",
        )
    )


def reference_names(pks: Iterable[int]) -> dict[int, dict]:
    """{pk: {"name", "provider"}} of these reference facilities (the assessment's alternatives)."""
    return {
        pk: {"name": name, "provider": provider}
        for pk, name, provider in ReferenceFacility.objects.filter(pk__in=list(pks)).values_list(
            "id", "name", "provider"
        )
    }
