"""Exports are safe to open and bounded: formula-like CSV cells neutralised, files streamed in
chunks, rows capped per request, and a few exports at once per process."""

import csv
import gc
import io
import json
from decimal import Decimal

import pytest

from api.assets import export as export_http
from api.assets.export import EXPORTS_BUSY
from assets_app import exporting
from assets_app.exporting import EXPORT_TOO_LARGE, neutralise_formula
from assets_app.models import Asset
from core.roles import PLANNER

pytestmark = pytest.mark.django_db
EXPORT_URL = "/api/v1/assets/export/"
FORMULAS = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.getvalue().decode(), newline="")))


def test_csv_cells_that_start_like_a_formula_are_neutralised(client_as, make_asset):
    # given: assets whose text fields a spreadsheet would run as formulas
    for n, text in enumerate(FORMULAS):
        make_asset(register_code=f"F-{n}", name=text, address=text, book_value="1500.25")
    make_asset(register_code="F-plain", name="SDN Beji 1", notes="a - b = c")

    # when
    response = client_as(PLANNER).get(EXPORT_URL, {"format": "csv"})

    # then: every such text cell starts with a quote; other text and numbers stay as they were
    assert response.status_code == 200
    rows = {row["register_code"]: row for row in csv_rows(response)}
    assert [rows[f"F-{n}"]["name"] for n in range(len(FORMULAS))] == [
        "'" + text for text in FORMULAS
    ]
    assert [rows[f"F-{n}"]["address"] for n in range(len(FORMULAS))] == [
        "'" + text for text in FORMULAS
    ]
    assert rows["F-0"]["book_value"] == "1500.25"
    assert rows["F-0"]["land_area_m2"] == "500.0"
    assert rows["F-0"]["wkt"] == "POINT (106.81794 -6.37229)"
    assert (rows["F-plain"]["name"], rows["F-plain"]["notes"]) == ("SDN Beji 1", "a - b = c")


def test_only_text_is_neutralised_numbers_stay_numbers():
    assert neutralise_formula("-1") == "'-1"
    assert neutralise_formula(-1) == -1
    assert neutralise_formula(-2.5) == -2.5
    assert neutralise_formula(Decimal("-3.10")) == Decimal("-3.10")
    assert neutralise_formula(None) is None
    assert neutralise_formula("") == ""
    assert neutralise_formula("1=1") == "1=1"


def test_geojson_keeps_the_text_as_stored(client_as, make_asset):
    make_asset(register_code="F-0", name=FORMULAS[0])
    response = client_as(PLANNER).get(EXPORT_URL, {"format": "geojson"})
    features = json.loads(response.getvalue())["features"]
    assert [f["properties"]["name"] for f in features] == [FORMULAS[0]]


@pytest.mark.parametrize("file_format", ["csv", "geojson"])
def test_exports_stream_in_chunks_of_rows(client_as, make_asset, monkeypatch, file_format):
    # given: five assets and chunks of two rows
    monkeypatch.setattr(exporting, "CHUNK_ROWS", 2)
    codes = [make_asset(register_code=f"S-{n}").register_code for n in range(5)]

    # when
    response = client_as(PLANNER).get(EXPORT_URL, {"format": file_format})

    # then: a streamed answer, a head, three chunks of rows (2, 2, 1) and, for GeoJSON, a tail
    assert response.status_code == 200
    assert response.streaming is True
    chunks = list(response.streaming_content)
    assert len(chunks) == (4 if file_format == "csv" else 5)
    body = b"".join(chunks)
    if file_format == "csv":
        exported = [line.split(",")[0] for line in body.decode().splitlines()[1:]]
    else:
        exported = [f["id"] for f in json.loads(body)["features"]]
    assert exported == codes


@pytest.mark.parametrize("file_format", ["csv", "geojson", "gpkg"])
def test_an_export_matching_more_than_the_cap_is_a_400_naming_limit(
    client_as, make_asset, settings, file_format
):
    settings.EXPORT_MAX_ROWS = 3
    for n in range(5):
        make_asset(register_code=f"B-{n}")
    response = client_as(PLANNER).get(EXPORT_URL, {"format": file_format})
    assert response.status_code == 400
    assert response.json() == {"limit": [str(EXPORT_TOO_LARGE).format(matched=5, max_rows=3)]}
    assert Asset.objects.count() == 5


def test_an_export_pages_with_limit_and_offset_by_id(client_as, make_asset, settings):
    settings.EXPORT_MAX_ROWS = 3
    codes = [make_asset(register_code=f"P-{n}").register_code for n in range(5)]
    planner = client_as(PLANNER)
    first = planner.get(EXPORT_URL, {"limit": 3})
    rest = planner.get(EXPORT_URL, {"limit": 3, "offset": 3})
    assert [r["register_code"] for r in csv_rows(first)] == codes[:3]
    assert [r["register_code"] for r in csv_rows(rest)] == codes[3:]
    # a filter within the cap needs no paging
    within = planner.get(EXPORT_URL, {"q": "P-4"})
    assert within.status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "4"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "99999999999999999999999"}, "offset"),
    ],
)
def test_bad_paging_values_are_400_naming_them(client_as, settings, params, field):
    settings.EXPORT_MAX_ROWS = 3
    response = client_as(PLANNER).get(EXPORT_URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_exports_past_the_process_limit_answer_503_until_one_ends(client_as, make_asset, settings):
    # given: one export slot per process, taken by an export still being sent
    settings.EXPORT_MAX_CONCURRENT = 1
    gc.collect()  # earlier tests' unread exports, left in reference cycles by the test client
    assert export_http.exports_running() == 0
    make_asset(register_code="C-1")
    planner = client_as(PLANNER)
    running = planner.get(EXPORT_URL)
    assert running.status_code == 200
    assert export_http.exports_running() == 1

    # when: another export asks
    busy = planner.get(EXPORT_URL, {"format": "geojson"})

    # then: 503 with Retry-After, at once; once the first is sent the next one runs
    assert busy.status_code == 503
    assert busy["Retry-After"] == "5"
    assert busy.json() == {"detail": str(EXPORTS_BUSY)}
    # sent to its end, the server closes it (the test client, once it is read)
    assert running.getvalue().startswith(b"register_code,")
    assert export_http.exports_running() == 0
    after = planner.get(EXPORT_URL)
    assert after.status_code == 200
    assert [r["register_code"] for r in csv_rows(after)] == ["C-1"]
    assert export_http.exports_running() == 0


def test_a_refused_export_takes_no_slot(client_as, settings):
    settings.EXPORT_MAX_CONCURRENT = 1
    gc.collect()
    planner = client_as(PLANNER)
    assert planner.get(EXPORT_URL, {"format": "xlsx"}).status_code == 400
    assert planner.get(EXPORT_URL, {"bbox": "1,2"}).status_code == 400
    assert export_http.exports_running() == 0


def test_a_neutralised_csv_imports_back_to_the_same_text(client_as, make_asset):
    # given: assets whose names start like formulas, exported as CSV (each cell quoted)
    from core.roles import ASSET_OFFICER

    officer = client_as(ASSET_OFFICER)
    # (the import trims text as the API does, so leading tabs and returns are left out here)
    for n, text in enumerate([*FORMULAS[:4], "'quoted already", "'-already", "plain"]):
        make_asset(register_code=f"RT-{n}", name=text, address=text)
    before = dict(Asset.objects.values_list("register_code", "address"))
    content = officer.get(EXPORT_URL, {"format": "csv"}).getvalue()
    assert "'=HYPERLINK" in content.decode()

    # when: the register is emptied and the file imported again
    Asset.objects.all().delete()
    response = officer.post(
        "/api/v1/assets/import/",
        {"file": _named(content, "assets.csv")},
        format="multipart",
    )

    # then: the quote the export added is gone, and a quote the text had is kept
    assert response.status_code == 200, response.json()
    assert dict(Asset.objects.values_list("register_code", "address")) == before


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")
