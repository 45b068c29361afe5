"""Bulk writes of many rows: COPY on PostgreSQL, multi-row INSERTs on SQLite.

Generic over a table: the caller gives the table, its column names and the values column by
column, already in the form the database driver takes (`Field.get_db_prep_save`). Django's
`bulk_create` prepares every value through the field API again, which dominates at 100,000 rows.
Used by the asset import (`assets_app.importing`); nothing here knows about assets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from itertools import chain, islice

import psycopg
from django.db import connection

# Rows a progress step covers (and rows per COPY chunk).
BATCH_SIZE = 2000
# Rows per INSERT statement on SQLite (fewer when the statement would pass SQLite's limit of
# parameters).
ROWS_PER_INSERT = 500
# From this many new rows on, SQLite builds a table's indexes after the insert (if the write at
# least doubles the table).
REINDEX_MIN_ROWS = 5000

Progress = Callable[[Iterable, int, str], Iterable]


def no_progress(iterable: Iterable, total: int, desc: str) -> Iterable:
    """A `Progress` that shows nothing."""
    return iterable


@contextmanager
def sqlite_page_cache(kib: int = 256 * 1024):
    """On SQLite, a larger page cache while a bulk write runs (restored after).

    With the default 2 MB, a transaction writing 100,000 rows spills dirty pages to the file
    again and again while it updates the indexes; with room for them it writes each page once.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def indexes_built_after(table: str, new_rows: int):
    """On SQLite, a write that at least doubles a table builds its secondary indexes afterwards.

    Inserting 100,000 rows into a table costs more in index upkeep (a B-tree insert per row and
    index) than building each index once over the finished table, which sorts. The indexes are
    dropped and created again from their own stored definitions inside the same transaction:
    other connections keep reading the old state meanwhile, and a failure rolls the DDL back
    with the rows. (PostgreSQL is left alone: there, DROP INDEX would lock out every reader.)
    """
    if connection.vendor != "sqlite" or new_rows < REINDEX_MIN_ROWS:
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        (existing,) = cursor.fetchone()
        indexes = []
        if new_rows >= existing:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


class JsonbTextBinaryDumper(psycopg.adapt.Dumper):
    """JSON text as jsonb's binary form (a version byte, then the text), for a binary COPY."""

    format = psycopg.pq.Format.BINARY
    oid = psycopg.postgres.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


def insert_rows(
    table: str,
    columns: list[str],
    values: list[list],
    progress: Progress = no_progress,
    desc: str = "inserting",
) -> None:
    """Insert rows given column by column: COPY on PostgreSQL, multi-row INSERTs on SQLite.

    The COPY is binary: psycopg writes a float's 8 bytes instead of formatting its digits, and the
    server does not parse them back (the client's CPU for 100,000 assets fell from about 3.5 s to
    2 s). The column types come from the table itself."""
    quote = connection.ops.quote_name
    n = len(values[0])
    if not n:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            column_list = ", ".join(quote(c) for c in columns)
            rows = zip(*values, strict=True)  # made as they are sent
            raw = cursor.cursor  # the psycopg cursor, inside Django's transaction
            # The columns' types, for a binary COPY.
            cursor.execute(f"SELECT {column_list} FROM {quote(table)} LIMIT 0")
            types = [column.type_code for column in cursor.description]
            # The geometry is already GeoJSON text; by oid only, and on this cursor alone.
            raw.adapters.register_dumper(None, JsonbTextBinaryDumper)
            # One COPY: the server indexes the rows while the client is still sending them.
            sql = f"COPY {quote(table)} ({column_list}) FROM STDIN (FORMAT BINARY)"
            with raw.copy(sql) as copy:
                copy.set_types(types)
                for _ in progress(range(0, n, BATCH_SIZE), -(-n // BATCH_SIZE), desc):
                    for row in islice(rows, BATCH_SIZE):
                        copy.write_row(row)
            return
        # Many rows per INSERT: SQLite builds the lookup for each `IN (...)` of the table's CHECK
        # constraints once per statement run, so with one row per run it is built for every row
        # (most of the insert's time). A column that is None in every row is written as a NULL
        # literal: the sqlite3 module binds a None through its adapter lookup, which costs more
        # than a string or a number.
        given = [column.count(None) < n for column in values]
        bound = [column for column, value in zip(values, given, strict=True) if value]
        one_row = "(" + ", ".join("%s" if value else "NULL" for value in given) + ")"
        max_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per_statement = max(1, min(BATCH_SIZE, ROWS_PER_INSERT, max_params // max(1, len(bound))))
        head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "

        def params(start: int, stop: int) -> list:
            return list(chain.from_iterable(zip(*(v[start:stop] for v in bound), strict=True)))

        # The first statement takes the odd rows, every other one `per_statement` rows, so that
        # all but the first are the same statement (one executemany, one conversion of it).
        first = n % per_statement or per_statement
        spans = [(0, first)] + [(i, i + per_statement) for i in range(first, n, per_statement)]
        steps = iter(progress(spans, len(spans), desc))
        start, stop = next(steps)
        cursor.execute(head + ", ".join([one_row] * (stop - start)), params(start, stop))
        cursor.executemany(
            head + ", ".join([one_row] * per_statement), (params(a, b) for a, b in steps)
        )


def id_runs(ids: list[int], size: int) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) ranges of consecutive ids, each holding at most `size`."""
    runs: list[tuple[int, int]] = []
    for i in ids:
        if runs and i == runs[-1][1] + 1 and i - runs[-1][0] < size:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs
