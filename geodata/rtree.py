"""SQLite's R*Tree over a table's bbox columns, kept by triggers (PostgreSQL has none: its
btree bbox index INCLUDEs the id and answers with an index-only scan).

On SQLite a btree can bound only one of the four bbox ranges from both sides, so the bbox index
walks a strip of the city as wide as the box and rejects most of it; an R*Tree visits only the
boxes that meet the query's. `geodata.map_sql` reads it where it exists (`rtree_table`).

The R*Tree is `<table>_rtree` (id, the bbox in degrees, and the point's UTM 48S metres along
two diagonals, u = x + y and v = x - y, relative to ORIGIN), filled from the table and kept by
three triggers. The diagonals let a radius query ask for an octagon, the square of its circle
less its corners: 1.05 times the circle's area where the square alone is 1.27 times, so fewer
rows are visited only to fail the distance test. A shape (or a point without usable metres)
spans every diagonal, and the exact test decides for it.

It is made after every `migrate` rather than in a migration: SQLite alters a table by rebuilding
it, which drops the table's triggers, so each run checks that the triggers and the R*Tree's
columns are there and, when one is missing, makes the R*Tree again from the table. A build of
SQLite without the R*Tree module keeps none, and the queries use the bbox index.
"""

from __future__ import annotations

import logging
import math

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

COLUMNS = ("min_lon", "max_lon", "min_lat", "max_lat")
DIAGONALS = ("min_u", "max_u", "min_v", "max_v")
# Near Depok in UTM 48S: the diagonals are kept relative to it, where float32 (the R*Tree's
# precision, rounded outwards) is good to millimetres across the city.
ORIGIN = (700_000.0, 9_290_000.0)
# The diagonal span of a row the diagonals cannot bound (a shape): metres beyond any in reach,
# and a power of 2, which float32 keeps as it is.
UNBOUNDED = float(2**40)

TRIGGERS = ("insert", "update", "delete")


def rtree_name(table: str) -> str:
    return f"{table}_rtree"


def diagonal_bounds(x: float, y: float, metres: float) -> tuple[float, float, float, float]:
    """(max u, min u, max v, min v) of the points within `metres` of (x, y) in UTM 48S, in the
    order the R*Tree's query takes them (`min_u <= ? AND max_u >= ? AND min_v <= ? AND
    max_v >= ?`)."""
    u, v = (x - ORIGIN[0]) + (y - ORIGIN[1]), (x - ORIGIN[0]) - (y - ORIGIN[1])
    reach = metres * math.sqrt(2) * (1 + 1e-9)  # |du| <= sqrt(2) |d|, and a hair for rounding
    return u + reach, u - reach, v + reach, v - reach


def _diagonals(row: str) -> list[str]:
    """The SQL of min_u, max_u, min_v, max_v for a row (`NEW.` in a trigger, "" in a fill)."""
    x = f"({row}utm_x - {ORIGIN[0]!r})"
    y = f"({row}utm_y - {ORIGIN[1]!r})"
    # Only a point with metres near the city is bounded (NaN or NULL fails the test too).
    bounded = f"{row}min_lat = {row}max_lat AND abs({x}) < 1e6 AND abs({y}) < 1e6"
    out = []
    for value in (f"{x} + {y}", f"{x} - {y}"):
        out.append(f"CASE WHEN {bounded} THEN {value} ELSE {-UNBOUNDED!r} END")
        out.append(f"CASE WHEN {bounded} THEN {value} ELSE {UNBOUNDED!r} END")
    return out


# (alias, database name, table): the R*Tree's name, or None.
_FOUND: dict[tuple[str, str, str], str | None] = {}


def rtree_table(using: str, table: str) -> str | None:
    """The R*Tree over this table's bbox on the SQLite database `using`, when it has one (looked
    up once per database); None elsewhere."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return None
    key = (using, str(connection.settings_dict["NAME"]), table)
    if key not in _FOUND:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                [rtree_name(table)],
            )
            _FOUND[key] = rtree_name(table) if cursor.fetchone() else None
    return _FOUND[key]


def ensure_bbox_rtree(using: str, table: str) -> bool:
    """Make (or mend) the R*Tree of `table` on the SQLite database `using`; True when it is
    there and current afterwards. A database without the table is left alone."""
    connection = connections[using]
    if connection.vendor != "sqlite" or table not in connection.introspection.table_names():
        return False
    _FOUND.clear()
    quote = connection.ops.quote_name
    rtree = rtree_name(table)
    columns = ", ".join(("id", *COLUMNS, *DIAGONALS))
    watched = ", ".join((*COLUMNS, "utm_x", "utm_y"))  # what the R*Tree's values come from
    new = ", ".join((*(f"NEW.{c}" for c in ("id", *COLUMNS)), *_diagonals("NEW.")))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
        )
        present = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"PRAGMA table_info({quote(rtree)})")
        made = tuple(row[1] for row in cursor.fetchall())
        if made == ("id", *COLUMNS, *DIAGONALS) and all(
            f"{rtree}_{kind}" in present for kind in TRIGGERS
        ):
            return True
        # Made afresh (and filled below): an older one may have other columns.
        cursor.execute(f"DROP TABLE IF EXISTS {quote(rtree)}")
        try:
            cursor.execute(f"CREATE VIRTUAL TABLE {quote(rtree)} USING rtree({columns})")
        except DatabaseError:
            logger.warning("SQLite has no R*Tree module; map queries use the bbox index")
            return False
        for kind in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(f'{rtree}_{kind}')}")
        cursor.execute(
            f"CREATE TRIGGER {quote(f'{rtree}_insert')} AFTER INSERT ON {quote(table)} "
            f"BEGIN INSERT INTO {quote(rtree)} VALUES ({new}); END"
        )
        cursor.execute(
            f"CREATE TRIGGER {quote(f'{rtree}_update')} AFTER UPDATE OF {watched} "
            f"ON {quote(table)} BEGIN DELETE FROM {quote(rtree)} WHERE id = OLD.id; "
            f"INSERT INTO {quote(rtree)} VALUES ({new}); END"
        )
        cursor.execute(
            f"CREATE TRIGGER {quote(f'{rtree}_delete')} AFTER DELETE ON {quote(table)} "
            f"BEGIN DELETE FROM {quote(rtree)} WHERE id = OLD.id; END"
        )
        # A trigger was missing, so rows may have changed unseen: filled from the table.
        values = ", ".join(("id", *COLUMNS, *_diagonals("")))
        cursor.execute(
            f"INSERT INTO {quote(rtree)} SELECT {values} FROM {quote(table)} "
            f"WHERE {' AND '.join(f'{c} IS NOT NULL' for c in COLUMNS)}"
        )
    return True
