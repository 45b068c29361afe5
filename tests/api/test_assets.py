"""Asset register API: roles, register and edit with validation, derived fields, history."""

import pytest

from assets_app.models import ITEM_CODE_MESSAGE, Asset
from assets_app.services import (
    FACILITY_TYPE_MISMATCH,
    FIELD_NOT_WRITABLE,
    OUTSIDE_DEPOK,
    REGISTER_CODE_TAKEN,
)
from core.roles import ASSET_APPROVER, ASSET_OFFICER, OUTLET_MANAGER, PLANNER, VENDOR
from tests.conftest import BEJI_POINT

pytestmark = pytest.mark.django_db

URL = "/api/v1/assets/"
POINT = {"type": "Point", "coordinates": list(BEJI_POINT)}
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [106.819, -6.373],
            [106.821, -6.373],
            [106.821, -6.371],
            [106.819, -6.371],
            [106.819, -6.373],
        ]
    ],
}


def new_asset(**overrides):
    data = {
        "register_code": "KIB-A-0001",
        "name": "SDN Kukusan 1",
        "category": "land",
        "use": "education",
        "facility_type": "sd",
        "geometry": POINT,
    }
    data.update(overrides)
    return data


# --- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        (VENDOR, 403),
        (PLANNER, 200),
        (ASSET_APPROVER, 200),
        (OUTLET_MANAGER, 200),
        (ASSET_OFFICER, 200),
    ],
)
def test_who_reads_the_register(role_clients, make_asset, role, expected):
    asset = make_asset()
    client = role_clients[role]
    assert client.get(URL).status_code == expected
    assert client.get(f"{URL}{asset.pk}/").status_code == expected
    assert client.get(f"{URL}export/").status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        (VENDOR, 403),
        (PLANNER, 403),
        (ASSET_APPROVER, 403),
        (OUTLET_MANAGER, 403),
    ],
)
def test_only_officers_write(role_clients, make_asset, role, expected):
    asset = make_asset(name="Before")
    client = role_clients[role]
    assert client.post(URL, new_asset(), format="json").status_code == expected
    patch = client.patch(f"{URL}{asset.pk}/", {"name": "After"}, format="json")
    assert patch.status_code == expected
    assert client.get(f"{URL}{asset.pk}/history/").status_code == expected
    assert Asset.objects.count() == 1
    assert Asset.objects.get().name == "Before"
    assert asset.history.count() == 1


def test_put_and_delete_are_not_offered(client_as, make_asset):
    asset = make_asset()
    client = client_as(ASSET_OFFICER)
    assert client.put(f"{URL}{asset.pk}/", new_asset(), format="json").status_code == 405
    assert client.delete(f"{URL}{asset.pk}/").status_code == 405
    assert Asset.objects.count() == 1


# --- register ----------------------------------------------------------------------------------


def test_officer_registers_an_asset_and_the_district_is_derived(client_as):
    response = client_as(ASSET_OFFICER).post(
        URL,
        new_asset(
            item_code="1.3.1.01.01.01.001",
            title_type="hak_pakai",
            title_number="12/Kukusan",
            title_date="2019-03-04",
            origin="purchase",
            acquisition_year=2018,
            book_value="1250000000.50",
            custodian="Dinas Pendidikan",
            address="Jl. Kukusan No. 1",
            land_area_m2=1200.5,
            condition="minor_damage",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    asset = Asset.objects.get()
    assert body == {
        "id": asset.pk,
        "register_code": "KIB-A-0001",
        "item_code": "1.3.1.01.01.01.001",
        "name": "SDN Kukusan 1",
        "category": "land",
        "use": "education",
        "facility_type": "sd",
        "custodian": "Dinas Pendidikan",
        # No agency named: the officer's own (the fixture's officers belong to BKD); the first
        # asset of its agency, kode barang and year is register number 1 (#17).
        "custodian_agency": "BKD",
        "register_number": 1,
        "land_register_code": "",
        "address": "Jl. Kukusan No. 1",
        "geometry": {"type": "Point", "coordinates": [106.81794, -6.37229]},
        "kelurahan_code": "32.76.06.1002",
        "kecamatan_code": "32.76.06",
        "land_area_m2": 1200.5,
        "building_area_m2": None,
        "floors": None,
        "concrete": None,
        "condition": "minor_damage",
        "title_type": "hak_pakai",
        "title_number": "12/Kukusan",
        "title_date": "2019-03-04",
        "origin": "purchase",
        "acquisition_year": 2018,
        "book_value": "1250000000.50",
        "status": "in_service",
        "notes": "",
        "repurposable": asset.repurposable,  # assessed on every write (repurposing)
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert body["created_at"].endswith("Z")
    assert (asset.min_lon, asset.min_lat, asset.max_lon, asset.max_lat) == (
        106.81794,
        -6.37229,
        106.81794,
        -6.37229,
    )
    assert (asset.lon, asset.lat) == (106.81794, -6.37229)


def test_polygon_asset_gets_its_bbox_and_a_point_inside(client_as):
    response = client_as(ASSET_OFFICER).post(URL, new_asset(geometry=SQUARE), format="json")
    assert response.status_code == 201
    asset = Asset.objects.get()
    assert (asset.min_lon, asset.min_lat, asset.max_lon, asset.max_lat) == (
        106.819,
        -6.373,
        106.821,
        -6.371,
    )
    assert 106.819 < asset.lon < 106.821
    assert -6.373 < asset.lat < -6.371


@pytest.mark.parametrize(
    "field", ["kelurahan_code", "kecamatan_code", "repurposable", "id", "lon", "created_at"]
)
def test_derived_fields_are_not_writable(client_as, make_asset, field):
    client = client_as(ASSET_OFFICER)
    response = client.post(URL, new_asset(**{field: "32.76.01"}), format="json")
    assert response.status_code == 400
    assert response.json() == {field: [str(FIELD_NOT_WRITABLE)]}
    assert Asset.objects.count() == 0
    asset = make_asset()
    patch = client.patch(f"{URL}{asset.pk}/", {field: "32.76.01"}, format="json")
    assert patch.status_code == 400
    assert patch.json() == {field: [str(FIELD_NOT_WRITABLE)]}
    asset.refresh_from_db()
    assert asset.kelurahan_id == "32.76.06.1002"
    assert asset.history.count() == 1


def test_register_code_is_unique(client_as, make_asset):
    make_asset(register_code="KIB-A-0001")
    response = client_as(ASSET_OFFICER).post(URL, new_asset(), format="json")
    assert response.status_code == 400
    assert response.json() == {"register_code": [str(REGISTER_CODE_TAKEN)]}
    assert Asset.objects.count() == 1


def test_patch_to_a_taken_register_code_is_400(client_as, make_asset):
    make_asset(register_code="KIB-A-0001")
    other = make_asset(register_code="KIB-A-0002")
    response = client_as(ASSET_OFFICER).patch(
        f"{URL}{other.pk}/", {"register_code": "KIB-A-0001"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"register_code": [str(REGISTER_CODE_TAKEN)]}
    other.refresh_from_db()
    assert other.register_code == "KIB-A-0002"


@pytest.mark.parametrize(
    "item_code",
    ["1.3.1.01.01.01", "1.3.1.1.01.01.001", "13.1.01.01.01.001.1", "a.3.1.01.01.01.001"],
)
def test_item_code_format(client_as, item_code):
    response = client_as(ASSET_OFFICER).post(URL, new_asset(item_code=item_code), format="json")
    assert response.status_code == 400
    assert response.json() == {"item_code": [str(ITEM_CODE_MESSAGE)]}
    assert Asset.objects.count() == 0


def test_item_code_accepts_the_seven_segments(client_as):
    client = client_as(ASSET_OFFICER)
    response = client.post(
        URL, new_asset(item_code="1.3.3.01.01.01.001", category="building"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["item_code"] == "1.3.3.01.01.01.001"


def test_required_fields(client_as):
    response = client_as(ASSET_OFFICER).post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"register_code", "name", "category", "use", "geometry"}
    assert Asset.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"use": "casino"}, "use"),
        ({"category": "vehicle"}, "category"),
        ({"condition": "broken"}, "condition"),
        ({"status": "lost"}, "status"),
        ({"land_area_m2": -1}, "land_area_m2"),
        ({"building_area_m2": -0.5}, "building_area_m2"),
        ({"book_value": "-10.00"}, "book_value"),
        ({"acquisition_year": 1700}, "acquisition_year"),
        ({"floors": -2}, "floors"),
        ({"title_date": "yesterday"}, "title_date"),
    ],
)
def test_bad_values_are_400_naming_the_field(client_as, overrides, field):
    response = client_as(ASSET_OFFICER).post(URL, new_asset(**overrides), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Asset.objects.count() == 0


def test_facility_type_must_fit_the_use(client_as):
    response = client_as(ASSET_OFFICER).post(
        URL, new_asset(use="health", facility_type="sd"), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "facility_type": [str(FACILITY_TYPE_MISMATCH).format(facility_type="sd", use="health")]
    }
    assert Asset.objects.count() == 0


# --- bad geometries ---------------------------------------------------------------------------

JAKARTA = {"type": "Point", "coordinates": [106.8456, -6.2088]}
LINE = {"type": "LineString", "coordinates": [[106.81, -6.37], [106.82, -6.38]]}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [
            [106.810, -6.370],
            [106.812, -6.372],
            [106.812, -6.370],
            [106.810, -6.372],
            [106.810, -6.370],
        ]
    ],
}
UNCLOSED = {
    "type": "Polygon",
    "coordinates": [[[106.810, -6.370], [106.812, -6.370], [106.812, -6.372], [106.810, -6.372]]],
}
BAD_GEOMETRIES = [
    (JAKARTA, str(OUTSIDE_DEPOK)),
    (LINE, "Geometry type 'LineString' is not allowed; use one of Point, Polygon, MultiPolygon."),
    (BOWTIE, "Invalid geometry: Self-intersection[106.811 -6.371]."),
    (
        UNCLOSED,
        "Polygon, ring 0: the ring is not closed (first and last positions differ).",
    ),
    (
        {"type": "Point", "coordinates": [206.8, -6.37]},
        "Point: longitude 206.8 is outside -180..180.",
    ),
    ({"type": "Point"}, "The geometry has no coordinates."),
    ("not json", "Not valid JSON."),
]


@pytest.mark.parametrize(("geometry", "message"), BAD_GEOMETRIES)
def test_bad_geometry_on_post_is_400_and_writes_nothing(client_as, geometry, message):
    response = client_as(ASSET_OFFICER).post(URL, new_asset(geometry=geometry), format="json")
    assert response.status_code == 400
    assert response.json() == {"geometry": [message]}
    assert Asset.objects.count() == 0
    assert Asset.history.count() == 0


@pytest.mark.parametrize(("geometry", "message"), BAD_GEOMETRIES)
def test_bad_geometry_on_patch_is_400_and_changes_nothing(client_as, make_asset, geometry, message):
    asset = make_asset()
    response = client_as(ASSET_OFFICER).patch(
        f"{URL}{asset.pk}/", {"geometry": geometry, "name": "Moved"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"geometry": [message]}
    asset.refresh_from_db()
    assert asset.geometry == {"type": "Point", "coordinates": list(BEJI_POINT)}
    assert asset.name == "Test asset 1"
    assert asset.history.count() == 1


def test_patch_moves_the_asset_and_its_district(client_as, make_asset):
    asset = make_asset()
    response = client_as(ASSET_OFFICER).patch(
        f"{URL}{asset.pk}/",
        {"geometry": {"type": "Point", "coordinates": [106.82521, -6.40132]}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["kelurahan_code"] == "32.76.01.1006"
    assert response.json()["kecamatan_code"] == "32.76.01"
    asset.refresh_from_db()
    assert (asset.lon, asset.lat, asset.kecamatan_id) == (106.82521, -6.40132, "32.76.01")


def test_unknown_asset_is_404(client_as):
    client = client_as(PLANNER)
    assert client.get(f"{URL}999/").status_code == 404
    assert client.get(f"{URL}abc/").status_code == 404


# --- history ------------------------------------------------------------------------------------


def raw(change: dict) -> dict:
    """A history change's stored values (its readable labels are tested in test_admin_history)."""
    return {key: change[key] for key in ("field", "old", "new")}


def test_history_shows_who_changed_what(client_as, make_user):
    siti = make_user(ASSET_OFFICER, username="siti")
    budi = make_user(ASSET_OFFICER, username="budi")
    created = client_as(user=siti).post(URL, new_asset(land_area_m2=800), format="json")
    pk = created.json()["id"]
    client_as(user=budi).patch(
        f"{URL}{pk}/",
        {
            "name": "SDN Kukusan 01",
            "condition": "major_damage",
            "geometry": {"type": "Point", "coordinates": [106.82521, -6.40132]},
        },
        format="json",
    )
    client_as(user=siti).patch(f"{URL}{pk}/", {"land_area_m2": 950.0}, format="json")

    response = client_as(user=siti).get(f"{URL}{pk}/history/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    latest, middle, first = body["results"]
    assert (latest["type"], latest["user"]) == ("changed", "siti")
    assert [raw(c) for c in latest["changes"] if c["field"] != "repurposable"] == [
        {"field": "land_area_m2", "old": 800.0, "new": 950.0}
    ]
    assert (middle["type"], middle["user"]) == ("changed", "budi")
    # (the repurposing flag, assessed automatically after each write, may change too)
    assert [raw(c) for c in middle["changes"] if c["field"] != "repurposable"] == [
        {"field": "condition", "old": "good", "new": "major_damage"},
        {
            "field": "geometry",
            "old": {"type": "Point", "coordinates": [106.81794, -6.37229]},
            "new": {"type": "Point", "coordinates": [106.82521, -6.40132]},
        },
        {"field": "kecamatan_code", "old": "32.76.06", "new": "32.76.01"},
        {"field": "kelurahan_code", "old": "32.76.06.1002", "new": "32.76.01.1006"},
        {"field": "name", "old": "SDN Kukusan 1", "new": "SDN Kukusan 01"},
    ]
    assert (first["type"], first["user"]) == ("created", "siti")
    assert {c["field"]: c["new"] for c in first["changes"]}["register_code"] == "KIB-A-0001"
    assert all(c["old"] is None for c in first["changes"])
    assert first["date"] <= middle["date"] <= latest["date"]


def test_history_pages_keep_the_diff_across_the_page_break(client_as, make_user):
    officer = make_user(ASSET_OFFICER, username="siti")
    client = client_as(user=officer)
    pk = client.post(URL, new_asset(), format="json").json()["id"]
    for name in ("A", "B", "C"):
        client.patch(f"{URL}{pk}/", {"name": name}, format="json")
    page = client.get(f"{URL}{pk}/history/?limit=2&offset=1").json()
    assert page["count"] == 4
    assert [
        [raw(c) for c in e["changes"] if c["field"] != "repurposable"] for e in page["results"]
    ] == [
        [{"field": "name", "old": "A", "new": "B"}],
        [{"field": "name", "old": "SDN Kukusan 1", "new": "A"}],
    ]
