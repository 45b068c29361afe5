"""An import's orchestration: every row checked first, then all rows written or none.

Reading is `readers`, value rules `cleaning`, the writes `writing` (over `core.bulk`). Here: the
column checks, the cross-field and geometry rules (vectorised: one STRtree query for all
points), register-code uniqueness, dry run and update (upsert), the one transaction, the report.
"""

from __future__ import annotations

import gc
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import numpy as np
import shapely

from assets_app.agencies import assets_number_missing, default_agency_code, writes_all
from assets_app.fields import FIELDS_BY_NAME
from assets_app.fields import names as field_names
from assets_app.importing.cleaning import (
    agency_rule_errors,
    check_statuses,
    clean_column,
    existing_codes,
    item_rules_errors,
    row_error,
    scope_error,
)
from assets_app.importing.readers import Table, read_table
from assets_app.importing.writing import insert_new, recheck_statuses, update_existing
from assets_app.models import Asset
from assets_app.repurposing import assets_assess, new_asset_verdicts
from assets_app.services import (
    OUTSIDE_DEPOK,
    REGISTER_CODE_TAKEN,
    WRITABLE_FIELDS,
    asset_rule_errors,
    asset_set_derived,
    geometries_derive,
    geometry_problem,
)
from core import bulk
from core.audit import audit_record
from core.bulk import Progress, no_progress
from core.models import AuditAction
from geodata.spatial import ALLOWED_TYPES, within_size_limits

logger = logging.getLogger(__name__)

# Columns an export writes that are derived or informative; an import ignores them.
IGNORED_COLUMNS = frozenset({*field_names(output=True, writable=False), "fid", "distance_m"})
REQUIRED_COLUMNS = field_names(required=True)
UNKNOWN_COLUMN = _("Unknown column; known columns are the writable asset fields.")
MISSING_COLUMN = _("This column is required.")
DUPLICATE_IN_FILE = _("The register code {code!r} already appears in row {row}.")

_ALLOWED_TYPE_IDS = [shapely.GeometryType[name.upper()] for name in ALLOWED_TYPES]
# What an update compares to decide whether a row changed anything.
_COMPARED = (
    *sorted(FIELDS_BY_NAME[name].column for name in WRITABLE_FIELDS),
    *(FIELDS_BY_NAME[name].column for name in field_names(derived=True)),
)


def assets_import_table(
    *,
    table: Table,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    update: bool = False,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Check every row of `table`, then (unless `dry_run` or any error) write them all."""
    with _cyclic_gc_paused():
        return _import_table(
            table=table, user=user, dry_run=dry_run, update=update, progress=progress
        )


@contextmanager
def _cyclic_gc_paused():
    """Pause Python's cycle collector while an import builds its (acyclic) rows.

    An import allocates a few million objects (cells, tuples, geometries) that all stay alive to
    the end; each collection pass of the oldest generation walks them all again, for nothing
    (about a sixth of the checking time at 100,000 rows). Reference counting still frees
    everything as usual; the collector is switched back on as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_table(
    *,
    table: Table,
    user: AbstractBaseUser | None,
    dry_run: bool,
    update: bool,
    progress: Progress,
) -> dict[str, Any]:
    n = table.size
    errors: list[dict] = []
    bad_rows: set[int] = set()

    def add_error(row: int | None, field: str, message: str) -> None:
        errors.append(row_error(row, field, message))
        if row is not None:
            bad_rows.add(row)

    names = [c for c in table.columns if c not in IGNORED_COLUMNS]
    for name in names:
        if name not in WRITABLE_FIELDS or name == "geometry":
            add_error(None, name, str(UNKNOWN_COLUMN))
    for name in REQUIRED_COLUMNS:
        if name not in table.columns:
            add_error(None, name, str(MISSING_COLUMN))
    report = {"rows": n, "created": 0, "updated": 0, "unchanged": 0, "errors": errors}
    if errors:
        return _finish(report, dry_run)

    # Values, column by column.
    cleaned: dict[str, list] = {}
    for name in progress(names, len(names), "checking columns"):
        cleaned[name] = clean_column(name, table.columns[name], add_error)
    if "custodian_agency" not in cleaned:
        # Rows without an agency belong to the importing officer's (the managing agency's
        # when the import runs without one).
        names.append("custodian_agency")
        cleaned["custodian_agency"] = [default_agency_code(user)] * n
    agency_rule_errors(cleaned, user, add_error)

    # Cross-field rules.
    uses, types = cleaned.get("use"), cleaned.get("facility_type")
    if types is not None:
        pairs = list(zip(uses, types, strict=True))
        rules = {
            pair: asset_rule_errors({"use": pair[0], "facility_type": pair[1]})
            for pair in set(pairs)
        }
        # A missing value has its own error already.
        broken = {pair for pair, found in rules.items() if found and None not in pair}
        if broken:
            for row, pair in enumerate(pairs):
                if pair in broken:
                    for field, messages in rules[pair].items():
                        add_error(row, field, " ".join(messages))

    item_rules_errors(cleaned, add_error)

    # Geometry: the single-write rules, then derivation for all rows at once.
    for row, (field, message) in table.geometry_errors.items():
        add_error(row, field, message)
    geoms = np.asarray(table.geometries, dtype=object)
    # Finite points need no validity check; only the other rows go through geometry_problem.
    simple = (shapely.get_type_id(geoms) == shapely.GeometryType.POINT) & ~shapely.is_empty(geoms)
    unreadable = np.zeros(n, dtype=bool)
    unreadable[list(table.geometry_errors)] = True
    others = np.flatnonzero(~simple & ~unreadable)
    # What geometry_problem accepts, tested for all of them at once; it names the problem.
    fine = (
        np.isin(shapely.get_type_id(geoms[others]), _ALLOWED_TYPE_IDS)
        & ~shapely.is_empty(geoms[others])
        & within_size_limits(geoms[others])
        & shapely.is_valid(geoms[others])
    )
    for row in others[~fine].tolist():
        problem = geometry_problem(geoms[row])
        if problem:
            add_error(row, "geometry", problem)
            unreadable[row] = True
    good = np.flatnonzero(~unreadable).tolist()
    derived = geometries_derive(geoms[good])
    for row, problem, kelurahan in zip(good, derived.problems, derived.kelurahan, strict=True):
        if problem:
            add_error(row, "geometry", problem)
        elif kelurahan is None:
            add_error(row, "geometry", str(OUTSIDE_DEPOK))

    # Register codes: unique in the file, and new unless updating.
    codes = cleaned["register_code"]
    first_seen: dict[str, int] = dict(zip(codes, range(n), strict=True))
    if len(first_seen) < n or None in first_seen:  # a repeated or missing code: row by row
        first_seen = {}
        for row, code in enumerate(codes):
            if code is None:
                continue
            if code in first_seen:
                add_error(
                    row,
                    "register_code",
                    str(DUPLICATE_IN_FILE).format(code=code, row=first_seen[code] + 1),
                )
            else:
                first_seen[code] = row
    existing = existing_codes(list(first_seen), load=update)
    if not update:
        for code, row in first_seen.items():
            if code in existing:
                add_error(row, "register_code", str(REGISTER_CODE_TAKEN))
    if "status" in cleaned:
        check_statuses(cleaned["status"], codes, existing if update else {}, add_error)
    if update and existing and not writes_all(user):
        for code, row in first_seen.items():
            held = existing.get(code)
            if held is not None:
                scope_error(user, held.custodian_agency_id, row, add_error)

    if errors:
        errors.sort(key=lambda e: (e["row"] is not None, e["row"] or 0, e["field"]))
        return _finish(report, dry_run)

    # Every row passed, so every geometry was derived: row i's derived values are at i.
    # New rows go straight to the database; existing ones (with update) are compared first.
    new_rows: list[int] = []
    to_update: list[Asset] = []
    unchanged = 0
    now = timezone.now()
    changed_fields: set[str] = set()
    statuses_read: dict[int, str] = {}  # asset id -> status when checked, for the write's recheck
    for row in progress(range(n), n, "preparing rows"):
        asset = existing.get(codes[row]) if existing else None
        if asset is None:
            new_rows.append(row)
            continue
        before = {f: getattr(asset, f) for f in _COMPARED}
        for name in names:
            setattr(asset, FIELDS_BY_NAME[name].column, cleaned[name][row])
        asset_set_derived(asset, derived, row)
        diff = {f for f in _COMPARED if getattr(asset, f) != before[f]}
        if diff:
            asset.updated_at = now
            changed_fields |= diff
            to_update.append(asset)
            statuses_read[asset.pk] = before["status"]
        else:
            unchanged += 1
    report.update(created=len(new_rows), updated=len(to_update), unchanged=unchanged)
    if not dry_run:
        with transaction.atomic(), bulk.sqlite_page_cache():
            # A file of new assets only is assessed before it is written, so each row goes in
            # with its flag; with changed assets too, everything written is assessed after.
            flags = None if to_update else _new_verdicts(cleaned, new_rows, derived)
            insert_new(
                [cleaned[name] for name in names],
                names,
                new_rows,
                derived,
                user,
                now,
                progress,
                flags,
            )
            if "status" in changed_fields:
                recheck_statuses(statuses_read, to_update)
            update_existing(to_update, changed_fields, user, progress)
            # This run's rows: every one it created or changed carries its timestamp (a list of
            # 100,000 codes would pass PostgreSQL's 65,535 parameters).
            written = Asset.objects.filter(updated_at=now)
            assets_number_missing(written)
            # Every asset the file created or changed gets its repurposing flag in this run.
            if flags is None:
                assets_assess(queryset=written)
            audit_record(
                action=AuditAction.BULK,
                object_type=Asset._meta.label_lower,
                object_repr=f"import of {n} rows",
                user=user,
                changes={"created": len(new_rows), "updated": len(to_update)},
            )
    return _finish(report, dry_run)


def _new_verdicts(cleaned: dict[str, list], rows: list[int], derived) -> list[bool]:
    """The verdicts of the new rows (`rows`), with the model's default for a column the file
    does not have."""
    columns = {}
    for name in ("use", "facility_type", "status", "condition", "land_area_m2"):
        values = cleaned.get(name)
        if values is None:
            columns[name] = [Asset._meta.get_field(name).get_default()] * len(rows)
        else:
            columns[name] = [values[i] for i in rows]
    point = derived.points[rows]
    return new_asset_verdicts(
        columns,
        lon=point[:, 0].tolist(),
        lat=point[:, 1].tolist(),
        kecamatan=[derived.kecamatan[i] for i in rows],
    )


def _finish(report: dict, dry_run: bool) -> dict:
    report["dry_run"] = dry_run
    if report["errors"]:
        report.update(created=0, updated=0, unchanged=0)
    return report


def assets_import_file(
    *,
    path: str | Path,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    update: bool = False,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Read and import a file; a file that cannot be read raises ValidationError."""
    started = time.perf_counter()
    with _cyclic_gc_paused():
        table = read_table(path)
        report = assets_import_table(
            table=table, user=user, dry_run=dry_run, update=update, progress=progress
        )
    # One line an operator can search and sum: what came in, what it did, how long it took.
    logger.info(
        "asset import finished",
        extra={
            "file_format": Path(path).suffix.lower().lstrip("."),
            "rows": report["rows"],
            "inserted": report["created"],
            "updated": report["updated"],
            "errors": len(report["errors"]),
            "dry_run": dry_run,
            "duration_s": round(time.perf_counter() - started, 3),
            "user_id": getattr(user, "pk", None),
        },
    )
    return report
