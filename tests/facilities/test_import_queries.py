"""A small reference-facility import (re-assessed narrowly) makes a bounded number of queries
per changed row: the row's UPDATE, its history row and audit event, and what the history reads.
The service standards are read once per import, and the checked rows' districts and key are not
queried again per row (an update of 10 rows made 195 queries, 19 a row; now 56)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facilities.models import ReferenceFacility
from facilities.services import facilities_import

pytestmark = pytest.mark.django_db

PER_ROW = 5  # UPDATE, history INSERT, its two reads, audit INSERT


def schools(n: int, name: str = "SD SWASTA") -> bytes:
    lines = ["NPSN,Nama,Bentuk Pendidikan,Status Sekolah,Alamat,Lintang,Bujur"]
    for i in range(n):
        lat, lon = -6.40 + i * 0.0005, 106.80 + (i % 10) * 0.0005
        lines.append(f"9930{i:04d},{name} {i},SD,Swasta,-,{lat!r},{lon!r}")
    return ("\n".join(lines) + "\n").encode()


def update_queries(n: int) -> int:
    facilities_import(file=schools(n), fmt="csv", user=None, source="Dapodik")
    with CaptureQueriesContext(connection) as queries:
        report = facilities_import(
            file=schools(n, "SD SWASTA BARU"), fmt="csv", user=None, source="Dapodik"
        )
    assert (report["updated"], report["errors"]) == (n, [])
    ReferenceFacility.objects.all().delete()
    return len(queries.captured_queries)


def test_an_update_import_makes_a_fixed_number_of_queries_per_row():
    ten, forty = update_queries(10), update_queries(40)
    assert forty - ten <= 30 * PER_ROW
    assert ten <= 10 * PER_ROW + 10
