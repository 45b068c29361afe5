"""Writes of reference facilities: import (all rows or none), link to a city asset.

Each write re-assesses, in its own transaction, the city assets it can move: a new private
school can make a city school repurposable, a closed one can undo it. An import re-assesses
the city assets of the facility types it touched (many rows: a whole-type pass); a link, and
one row changed in the admin, only those its old and new footprint reach
(`facility_reassess_around`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from assets_app.agencies import agency_write_check
from assets_app.assessment import FACILITY_USES
from assets_app.models import Asset
from facilities.importing import FileError, check_records, read_records
from facilities.models import CAPACITY_FIELDS, OperatingStatus, ReferenceFacility
from geodata.boundaries import locate_points
from geodata.selectors import service_standards

if TYPE_CHECKING:
    from assets_app.repurposing import Footprint

ASSET_OTHER_TYPE = _(
    "The asset's facility type is {asset_type}, this facility's is {facility_type}."
)
ASSET_ALREADY_LINKED = _("The asset is already linked to reference facility {other}.")
FIELDS = (
    "facility_type",
    "category",
    "level",
    "name",
    "provider",
    "address",
    "capacity_students",
    "capacity_rombel",
    "capacity_beds",
    "status",
    "lon",
    "lat",
    "source",
)


def _read(file: Any) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "chunks"):
        return b"".join(file.chunks())
    return file.read()


def facilities_reassess(*, facility_types: Iterable[str]) -> int:
    """Re-assess the city assets of these facility types; returns how many."""
    from assets_app.repurposing import assets_assess

    types = sorted({t for t in facility_types if t})
    if not types:
        return 0
    queryset = Asset.objects.filter(facility_type__in=types, use__in=FACILITY_USES)
    return assets_assess(queryset=queryset)["assessed"]


# A facility's footprints: its own under "facility"; under a city asset's id, that asset's as a
# facility carrying this one's stated capacity (a linked facility is counted as the asset).
Footprints = dict[str | int, "Footprint"]


def capacity_units() -> dict[str, str]:
    """Each facility type's capacity unit (read once per import, not per row)."""
    return {code: s.capacity_unit for code, s in service_standards().items()}


def facility_footprints(
    facility: ReferenceFacility, *, units: dict[str, str] | None = None
) -> Footprints:
    """What of `facility` matters to the city assets' assessments, as it stands (take it before
    a change, and again after it, for `facility_reassess_around`)."""
    from assets_app.repurposing import Footprint

    units = capacity_units() if units is None else units

    def capacity(facility_type: str):
        field = CAPACITY_FIELDS.get(units.get(facility_type, ""))
        return getattr(facility, field) if field else None

    result: Footprints = {
        "facility": Footprint(
            facility_type=facility.facility_type,
            serving=facility.status == OperatingStatus.OPERATING and facility.asset_id is None,
            lon=facility.lon,
            lat=facility.lat,
            kecamatan=facility.kecamatan_id,
            capacity=capacity(facility.facility_type),
        )
    }
    if facility.asset_id is not None:
        # The asset's footprint carries the capacity its linked row (this one) states.
        result[facility.asset_id] = Footprint.of(Asset.objects.get(pk=facility.asset_id))
    return result


def facility_affected_asset_ids(
    changes: Iterable[tuple[Footprints | None, Footprints | None]],
) -> set[int]:
    """The city assets these reference facility changes ((before, after) footprints; None: not
    there, as for an added or deleted row) can move: a facility's own change by the rules the
    assets' changes follow (coverage near the old and new point, capacity in the old and new
    kecamatan), and a linked asset whose capacity came, went or changed."""
    from assets_app.repurposing import footprints_affected_ids

    pairs = []
    for before, after in changes:
        before, after = before or {}, after or {}
        for key in before.keys() | after.keys():
            old, new = before.get(key), after.get(key)
            if key != "facility":
                # A city asset linked or unlinked stays where it was; only the capacity it
                # carries comes or goes.
                old = old or replace(new, capacity=None)
                new = new or replace(old, capacity=None)
            pairs.append((old, new))
    return footprints_affected_ids(pairs)


@transaction.atomic
def facility_reassess_around(
    changes: Iterable[tuple[Footprints | None, Footprints | None]],
) -> int:
    """Re-assess the city assets these changes (already written) can move; returns how many."""
    from assets_app.repurposing import assets_assess

    ids = facility_affected_asset_ids(changes)
    if not ids:
        return 0
    return assets_assess(queryset=Asset.objects.filter(pk__in=ids))["assessed"]


def facilities_import(
    *,
    file: Any,
    fmt: str,
    user: AbstractBaseUser | None,
    source: str = "",
    synthetic: bool = False,
) -> dict[str, Any]:
    """Import a CSV or GeoJSON list: every row checked, then all written or none.

    An existing (kind, national id) is updated; a file-level problem raises ValidationError
    naming `file`. The report: rows, created, updated, unchanged, skipped (rows of categories the
    assessment does not read), errors ({row, column, message}) and reassessed.
    """
    try:
        records, columns = read_records(_read(file), fmt)
    except FileError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    checked = check_records(records, columns, source=source.strip())
    report = {
        "rows": checked.total,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "skipped": len(checked.skipped),
        "errors": checked.errors,
        "reassessed": 0,
    }
    if checked.errors:
        return report
    with transaction.atomic():
        report.update(_write(checked.rows, user=user, synthetic=synthetic))
    return report


# An import changing at most this many rows re-assesses only the city assets they can reach
# (as the admin does); a larger one re-assesses the facility types whole, which by then is about
# the same set and much cheaper to find.
NARROW_REASSESSMENT_ROWS = 200


def _write(rows: list[dict], *, user, synthetic: bool) -> dict[str, int]:
    existing = {
        (f.kind, f.national_id): f
        for f in ReferenceFacility.objects.select_for_update()
        .filter(national_id__in=[r["national_id"] for r in rows])
        .order_by("pk")
    }
    types: set[str] = set()
    new, created, updated, unchanged = [], 0, 0, 0
    narrow = len(rows) <= NARROW_REASSESSMENT_ROWS
    units = capacity_units() if narrow else {}
    changes: list[tuple[Footprints | None, Footprints | None]] = []
    # One spatial-index query for every point (the rule `locate_point` applies to one).
    kelurahan, kecamatan = locate_points([(r["lon"], r["lat"]) for r in rows])
    for row, kelurahan_code, kecamatan_code in zip(rows, kelurahan, kecamatan, strict=True):
        values = {key: row[key] for key in FIELDS}
        facility = existing.get((row["kind"], row["national_id"]))
        if facility is None:
            facility = ReferenceFacility(
                kind=row["kind"], national_id=row["national_id"], synthetic=synthetic, **values
            )
            facility.kelurahan_id = kelurahan_code
            facility.kecamatan_id = kecamatan_code
            new.append(facility)
            types.add(row["facility_type"])
            continue
        before = (
            {key: getattr(facility, key) for key in FIELDS},
            facility.kelurahan_id,
        )
        if before == (values, kelurahan_code):
            unchanged += 1
            continue
        types.update({facility.facility_type, row["facility_type"]})
        previous = facility_footprints(facility, units=units) if narrow else None
        for key, value in values.items():
            setattr(facility, key, value)
        facility.kelurahan_id = kelurahan_code
        facility.kecamatan_id = kecamatan_code
        # As for the new rows below: the rows were checked and the districts come from the
        # boundaries, so no query per row for the foreign keys, the key's uniqueness (it is the
        # row's own) or the check constraints (the database enforces them on the UPDATE).
        facility.clean_fields(exclude=["kelurahan", "kecamatan", "asset"])
        facility.clean()
        facility._history_user = user
        facility.save()
        if narrow:
            changes.append((previous, facility_footprints(facility, units=units)))
        updated += 1
    for facility in new:
        # The rows were checked; the districts come from the boundaries themselves, so their
        # foreign keys need no query each (full_clean would make two per row).
        facility.clean_fields(exclude=["kelurahan", "kecamatan", "asset"])
        facility.clean()
    if new:
        bulk_create_with_history(new, ReferenceFacility, batch_size=500, default_user=user)
        created = len(new)
    if narrow:
        changes += [(None, facility_footprints(facility, units=units)) for facility in new]
        reassessed = facility_reassess_around(changes)
    else:
        reassessed = facilities_reassess(facility_types=types)
    return {
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "reassessed": reassessed,
    }


@transaction.atomic
def facility_link(
    *, facility: ReferenceFacility, asset: Asset | None, user: AbstractBaseUser | None
) -> ReferenceFacility:
    """Link `facility` to the city asset that is it (None unlinks), then re-assess the city
    assets that can move (near the facility, and where the asset's capacity counts).

    The asset must be of the same facility type, not linked to another facility, and one the
    user may write (an officer writes only their agency's assets).
    """
    facility = ReferenceFacility.objects.select_for_update().get(pk=facility.pk)
    before = facility_footprints(facility)
    if asset is not None:
        agency_write_check(user, asset.custodian_agency_id)
        if asset.facility_type != facility.facility_type:
            raise ValidationError(
                {
                    "asset": [
                        str(ASSET_OTHER_TYPE).format(
                            asset_type=asset.facility_type or "-",
                            facility_type=facility.facility_type,
                        )
                    ]
                }
            )
        other = ReferenceFacility.objects.filter(asset=asset).exclude(pk=facility.pk).first()
        if other is not None:
            raise ValidationError({"asset": [str(ASSET_ALREADY_LINKED).format(other=other.pk)]})
    elif facility.asset_id is not None:
        previous = Asset.objects.get(pk=facility.asset_id)
        agency_write_check(user, previous.custodian_agency_id)
    facility.asset = asset
    facility.full_clean(validate_unique=False)
    facility._history_user = user
    facility.save()
    facility_reassess_around([(before, facility_footprints(facility))])
    return facility
