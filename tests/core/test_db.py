"""core.db: binary results where the cursor can take them, the same values either way."""

import psycopg
import pytest
from django.db import connection

from core.db import binary_results

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SQL = "SELECT 1.5::float8, -6.3712346::float8, 'Pancoran Mas'::text, '\\x0102'::bytea, 7::int8"
ROW = (1.5, -6.3712346, "Pancoran Mas", b"\x01\x02", 7)


def test_binary_results_read_the_same_values_in_binary():
    with connection.cursor() as cursor:
        binary_results(cursor)
        assert cursor.cursor.format == psycopg.pq.Format.BINARY
        cursor.execute(SQL)
        assert cursor.fetchall() == [ROW]


def test_a_client_side_binding_cursor_keeps_text_results():
    # server_side_binding=false gives Django's client-side cursors, which cannot take binary
    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as cursor:
        binary_results(cursor)
        assert cursor.format == psycopg.pq.Format.TEXT
        cursor.execute(SQL)
        assert cursor.fetchall() == [ROW]
