"""Writing an import that passed its checks: new assets in bulk (`core.bulk`) with their
"created" history rows copied inside the database, changed ones with bulk history records, and
the status recheck under lock.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from assets_app.importing.cleaning import CODE_CHUNK, _key
from assets_app.models import Asset, Status
from assets_app.services import DerivedGeometries, disposal_conflicts
from core import bulk
from core.bulk import Progress
from core.errors import Conflict

STATUS_CHANGED_MEANWHILE = _(
    "The status of an asset in the file changed while the import ran; nothing was written. "
    "Check the file against the register and import it again."
)


def recheck_statuses(statuses_read: dict[int, str], to_update: list[Asset]) -> None:
    """Inside the write's transaction, with the assets to update locked: the statuses the checks
    read are still theirs, and none disposed of has gained an outlet.

    The checks ran without locks; meanwhile an outlet may have been opened on an asset (which
    the update would then write back to its old status) or a reclassification approved.
    """
    ids = sorted(statuses_read)
    now_status: dict[int, str] = {}
    for start in range(0, len(ids), CODE_CHUNK):
        chunk = ids[start : start + CODE_CHUNK]
        locked = Asset.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
        now_status.update(locked.values_list("pk", "status"))
    if any(now_status.get(pk) != status for pk, status in statuses_read.items()):
        raise Conflict(str(STATUS_CHANGED_MEANWHILE))
    disposing = [
        a.pk
        for a in to_update
        if a.status == Status.DISPOSED and statuses_read[a.pk] != Status.DISPOSED
    ]
    conflict = next(iter(disposal_conflicts(disposing).values()), None) if disposing else None
    if conflict:
        raise Conflict(conflict)


_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.FloatField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _db_values(field: models.Field, values: list) -> list:
    """Values as the database driver takes them: as `field.get_db_prep_save`, once per value."""
    if isinstance(field, _PLAIN_FIELDS):
        return values
    cache: dict = {}
    out = []
    for value in values:
        key = _key(value)
        if key not in cache:
            cache[key] = field.get_db_prep_save(value, connection)
        out.append(cache[key])
    return out


def insert_new(
    columns: list[list],
    names: list[str],
    rows: list[int],
    derived: DerivedGeometries,
    user: AbstractBaseUser | None,
    now: datetime,
    progress: Progress,
    flags: list[bool] | None = None,
) -> None:
    """Insert new assets (COPY on PostgreSQL, multi-row INSERTs on SQLite), then their "created"
    history rows copied from them inside the database.

    Django's bulk_create (and simple-history's bulk_create_with_history on top of it) prepares
    every value through the field API, which dominates at 100,000 rows; the values here are
    already cleaned by the fields, so only the database adaptation is left, done once per
    distinct value. Same columns, defaults and history rows as `bulk_create_with_history`.
    """
    if not rows:
        return
    fields = [f for f in Asset._meta.concrete_fields if not f.primary_key]
    given = dict(zip(names, columns, strict=True))
    every_row = len(rows) == len(columns[0])  # all new: the columns as they are

    def pick(column: list) -> list:
        return column if every_row else [column[i] for i in rows]

    box = derived.bounds[rows]
    point = derived.points[rows]
    utm_point = derived.utm_points[rows]
    derived_values = {
        "geometry": pick(derived.texts),
        "min_lon": box[:, 0].tolist(),
        "min_lat": box[:, 1].tolist(),
        "max_lon": box[:, 2].tolist(),
        "max_lat": box[:, 3].tolist(),
        "lon": point[:, 0].tolist(),
        "lat": point[:, 1].tolist(),
        "utm_x": utm_point[:, 0].tolist(),
        "utm_y": utm_point[:, 1].tolist(),
        "utm_geometry": pick(derived.utm_wkb),
        "kelurahan": pick(derived.kelurahan),
        "kecamatan": pick(derived.kecamatan),
    }
    if flags is not None:  # assessed before the insert: the flag goes in with the row
        derived_values["repurposable"] = flags
        assessed_at = Asset._meta.get_field("assessed_at").get_db_prep_save(now, connection)
        derived_values["assessed_at"] = [assessed_at] * len(rows)
    values: dict[str, list] = {}
    for field in fields:
        if field.name in derived_values:
            values[field.attname] = derived_values[field.name]
        elif field.name in given:
            values[field.attname] = _db_values(field, pick(given[field.name]))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.attname] = [field.get_db_prep_save(now, connection)] * len(rows)
        else:
            values[field.attname] = [field.get_db_prep_save(field.get_default(), connection)] * len(
                rows
            )
    quote = connection.ops.quote_name
    table = quote(Asset._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        last_id = cursor.fetchone()[0] or 0
    with bulk.indexes_built_after(Asset._meta.db_table, len(rows)):
        bulk.insert_rows(
            Asset._meta.db_table,
            [f.column for f in fields],
            [values[f.attname] for f in fields],
            progress,
            "creating",
        )
    # The new ids: every id the database gives a new row is above the highest id before the
    # insert (sequence / AUTOINCREMENT), so one range read finds them (a row another
    # transaction committed meanwhile has another code).
    wanted = set(values["register_code"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT register_code, id FROM {table} WHERE id > %s", [last_id])
        ids = sorted(i for code, i in cursor.fetchall() if code in wanted)
    # The history rows are copies of the new rows plus who and when, so the database copies
    # them itself (INSERT ... SELECT) instead of receiving every value a second time.
    history = Asset.history.model
    source = {f.attname: f.column for f in Asset._meta.concrete_fields}
    constants = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(now, connection),
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    history_fields = [f for f in history._meta.concrete_fields if not f.primary_key]
    select, params = [], []
    for f in history_fields:
        if f.attname in constants:
            select.append("%s")
            params.append(constants[f.attname])
        else:
            select.append(quote(source[f.attname]))
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in history_fields)}) "
        f"SELECT {', '.join(select)} FROM {table} WHERE id BETWEEN %s AND %s"
    )
    runs = bulk.id_runs(ids, bulk.BATCH_SIZE)
    with bulk.indexes_built_after(history._meta.db_table, len(rows)), connection.cursor() as cursor:
        for first, last in progress(runs, len(runs), "history"):
            cursor.execute(sql, [*params, first, last])


def update_existing(
    to_update: list[Asset],
    changed_fields: set[str],
    user: AbstractBaseUser | None,
    progress: Progress,
) -> None:
    """Write the changed assets with their history rows, `bulk.bulk.BATCH_SIZE` at a time."""
    if not to_update:
        return
    fields = sorted({f[:-3] if f.endswith("_id") else f for f in changed_fields} | {"updated_at"})
    batches = [
        to_update[i : i + bulk.BATCH_SIZE] for i in range(0, len(to_update), bulk.BATCH_SIZE)
    ]
    for batch in progress(batches, len(batches), "updating"):
        bulk_update_with_history(
            batch, Asset, fields, batch_size=bulk.BATCH_SIZE, default_user=user
        )
