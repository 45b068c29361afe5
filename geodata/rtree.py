"""SQLite's R*Tree over a table's bbox columns, kept by triggers (PostgreSQL has none: its
btree bbox index INCLUDEs the id and answers with an index-only scan).

On SQLite a btree can bound only one of the four bbox ranges from both sides, so the bbox index
walks a strip of the city as wide as the box and rejects most of it; an R*Tree visits only the
boxes that meet the query's. `geodata.map_sql` reads it where it exists (`rtree_table`).

The R*Tree is `<table>_rtree` (id, min_lon, max_lon, min_lat, max_lat), filled from the table
and kept by three triggers. It is made after every `migrate` rather than in a migration: SQLite
alters a table by rebuilding it, which drops the table's triggers, so each run checks that the
triggers are there and, when one is missing, fills the R*Tree again from the table. A build of
SQLite without the R*Tree module keeps none, and the queries use the bbox index.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

COLUMNS = ("min_lon", "max_lon", "min_lat", "max_lat")

TRIGGERS = ("insert", "update", "delete")


def rtree_name(table: str) -> str:
    return f"{table}_rtree"


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
    columns = ", ".join(("id", *COLUMNS))  # the R*Tree's, those its update trigger watches
    new = ", ".join(f"NEW.{c}" for c in ("id", *COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
        )
        present = {row[0] for row in cursor.fetchall()}
        if all(f"{rtree}_{kind}" in present for kind in TRIGGERS):
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
            f"CREATE TRIGGER {quote(f'{rtree}_update')} AFTER UPDATE OF {columns} "
            f"ON {quote(table)} BEGIN DELETE FROM {quote(rtree)} WHERE id = OLD.id; "
            f"INSERT INTO {quote(rtree)} VALUES ({new}); END"
        )
        cursor.execute(
            f"CREATE TRIGGER {quote(f'{rtree}_delete')} AFTER DELETE ON {quote(table)} "
            f"BEGIN DELETE FROM {quote(rtree)} WHERE id = OLD.id; END"
        )
        # A trigger was missing, so rows may have changed unseen: filled from the table.
        cursor.execute(
            f"INSERT INTO {quote(rtree)} SELECT {columns} FROM {quote(table)} "
            f"WHERE {' AND '.join(f'{c} IS NOT NULL' for c in COLUMNS)}"
        )
    return True
