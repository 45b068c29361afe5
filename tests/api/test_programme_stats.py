"""`GET stats/programme/`: every figure checked against vendors, outlets, stalls and leases built
through the real services (registration, rounds, allocation, offers, lease termination)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

from geodata.models import District
from outlets import services
from outlets.models import Lease, Offer
from outlets.selectors import programme_stats
from tests.api.test_outlets_schema import _json_schema, _resolve
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor, verify

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/programme/"
BEJI = "32.76.06"
SAWANGAN = "32.76.03"
CINERE = "32.76.09"
KUKUSAN_KEL = "32.76.06.1002"  # where conftest's BEJI_POINT lies
BEJI_KEL = "32.76.06.1001"
PASIR_PUTIH_KEL = "32.76.03.1001"
CINERE_KEL = "32.76.09.1001"


def _point(code: str) -> dict:
    district = District.objects.get(code=code)
    return {"lon": district.lon, "lat": district.lat}


def _zero_vendors() -> dict:
    return dict.fromkeys(
        (
            "registered",
            "placed",
            "wub_registered",
            "wub_placed",
            "women_registered",
            "women_placed",
            "both_programmes_registered",
            "both_programmes_placed",
        ),
        0,
    )


@pytest.fixture
def programme(make_asset, make_user):
    """Three outlets, six vendors, four leases of which one is terminated, one open offer.

    - Outlet A (Kukusan, Beji): kiosks K-01..K-03 and kitchen D-01; outlet C (Beji, Beji): no
      stalls; outlet B (Pasir Putih, Sawangan): kiosks K-01, K-02.
    - wub (Beji home) -> A kiosk, accepts: placed.
    - wub + women (Beji home) -> A kiosk, accepts: placed (counts in both programmes).
    - women (Sawangan home) -> A kitchen, accepts, lease terminated: not placed.
    - wub (Sawangan home) -> B kiosk, offer left open: not placed.
    - no programme, no home kelurahan -> A kiosk, accepts: placed.
    - no programme (Cinere home): registered only.
    """
    manager = make_user("outlet_manager")
    stalls_a = (("K-01", "kiosk"), ("K-02", "kiosk"), ("K-03", "kiosk"), ("D-01", "kitchen"))
    outlet_a = make_outlet(make_asset, manager, stalls=stalls_a, **_point(KUKUSAN_KEL))
    outlet_b = make_outlet(
        make_asset,
        manager,
        stalls=(("K-01", "kiosk"), ("K-02", "kiosk")),
        **_point(PASIR_PUTIH_KEL),
    )
    outlet_c = make_outlet(make_asset, manager, stalls=(), **_point(BEJI_KEL))
    assert (outlet_a.asset.kelurahan_id, outlet_b.asset.kelurahan_id) == (
        KUKUSAN_KEL,
        PASIR_PUTIH_KEL,
    )
    assert outlet_c.asset.kelurahan_id == BEJI_KEL

    wub = make_vendor(wub=True, kelurahan=KUKUSAN_KEL)
    both = make_vendor(wub=True, women=True, kelurahan=BEJI_KEL)
    women = make_vendor(women=True, kelurahan=PASIR_PUTIH_KEL)
    wub_waiting = make_vendor(wub=True, kelurahan=PASIR_PUTIH_KEL)
    homeless = make_vendor(kelurahan=None)
    make_vendor(kelurahan=CINERE_KEL)
    # Programme figures count verified members only (issue 20): every claim here is checked.
    for vendor in (wub, both, women, wub_waiting):
        claims = [c for c in ("wub_participant", "women_programme") if getattr(vendor, c)]
        verify(vendor, manager, *claims)

    round_ = make_round(manager, [outlet_a, outlet_b], status="open")
    for vendor in (wub, both, homeless):
        apply(vendor, round_, (outlet_a, "kiosk"))
    apply(women, round_, (outlet_a, "kitchen"))
    apply(wub_waiting, round_, (outlet_b, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)

    offers = {o.application.vendor_id: o for o in Offer.objects.select_related("application")}
    for vendor in (wub, both, women, homeless):
        services.offer_accept(offer=offers[vendor.pk], user=vendor.user)
    services.lease_terminate(
        lease=Lease.objects.get(vendor=women), user=manager, reason="Tunggakan sewa tiga bulan"
    )
    assert Lease.objects.filter(status="active").count() == 3
    assert Lease.objects.filter(status="terminated").count() == 1
    assert Offer.objects.filter(status="open").count() == 1


def test_programme_figures_match_the_vendors_and_leases(client_as, programme, settings):
    settings.PROGRAMME_TARGET_WUB = 8
    settings.PROGRAMME_TARGET_WOMEN = 4

    response = client_as("planner").get(URL)

    assert response.status_code == 200
    data = response.json()
    assert data["programmes"] == [
        {
            "programme": "wub",
            "target": 8,
            "registered": 3,
            "placed": 2,
            "registered_percent": 37.5,
            "placed_percent": 25.0,
        },
        {
            "programme": "women",
            "target": 4,
            "registered": 2,
            "placed": 1,
            "registered_percent": 50.0,
            "placed_percent": 25.0,
        },
    ]
    assert data["vendors"] == {
        "registered": 6,
        "placed": 3,
        "both_programmes_registered": 1,
        "both_programmes_placed": 1,
        "no_programme_registered": 2,
        "no_programme_placed": 1,
        "without_home_kelurahan_registered": 1,
        "without_home_kelurahan_placed": 1,
    }
    assert data["outlets"] == {
        "total": 3,
        "stalls": {"total": 6, "vacant": 2, "offered": 1, "leased": 3},
        "occupancy_percent": 50.0,
    }


def test_programme_figures_per_kecamatan(client_as, programme):
    data = client_as("planner").get(URL).json()

    rows = {row["code"]: row for row in data["kecamatan"]}
    assert [row["code"] for row in data["kecamatan"]] == [f"32.76.{n:02d}" for n in range(1, 12)]
    assert rows[BEJI] == {
        "code": BEJI,
        "name": "Beji",
        "vendors": {
            "registered": 2,
            "placed": 2,
            "wub_registered": 2,
            "wub_placed": 2,
            "women_registered": 1,
            "women_placed": 1,
            "both_programmes_registered": 1,
            "both_programmes_placed": 1,
        },
        "outlets": 2,
        "stalls": {"total": 4, "vacant": 1, "offered": 0, "leased": 3},
        "occupancy_percent": 75.0,
        "kelurahan": 6,
        "kelurahan_with_outlet": 2,
    }
    assert rows[SAWANGAN] == {
        "code": SAWANGAN,
        "name": "Sawangan",
        "vendors": {
            **_zero_vendors(),
            "registered": 2,
            "wub_registered": 1,
            "women_registered": 1,
        },
        "outlets": 1,
        "stalls": {"total": 2, "vacant": 1, "offered": 1, "leased": 0},
        "occupancy_percent": 0.0,
        "kelurahan": 7,
        "kelurahan_with_outlet": 1,
    }
    assert rows[CINERE]["vendors"] == {**_zero_vendors(), "registered": 1}
    for code, row in rows.items():
        if code in (BEJI, SAWANGAN):
            continue
        assert row["outlets"] == 0
        assert row["stalls"] == {"total": 0, "vacant": 0, "offered": 0, "leased": 0}
        assert row["occupancy_percent"] is None
        assert row["kelurahan_with_outlet"] == 0
        if code != CINERE:
            assert row["vendors"] == _zero_vendors()


def test_districts_without_an_outlet(client_as, programme):
    data = client_as("planner").get(URL).json()

    kecamatan = list(District.objects.filter(level="kecamatan").values("code", "name"))
    assert data["without_outlet"]["kecamatan"] == [
        d for d in kecamatan if d["code"] not in (BEJI, SAWANGAN)
    ]
    kelurahan = District.objects.filter(level="kelurahan").exclude(
        code__in=[KUKUSAN_KEL, BEJI_KEL, PASIR_PUTIH_KEL]
    )
    assert len(data["without_outlet"]["kecamatan"]) == 9
    assert len(data["without_outlet"]["kelurahan"]) == 60
    assert data["without_outlet"]["kelurahan"] == [
        {"code": d.code, "name": d.name, "kecamatan_code": d.parent_id} for d in kelurahan
    ]


def test_default_targets_are_5000_and_1000(client_as, programme):
    data = client_as("asset_officer").get(URL).json()

    wub, women = data["programmes"]
    assert (wub["target"], wub["registered_percent"], wub["placed_percent"]) == (5000, 0.06, 0.04)
    assert (women["target"], women["registered_percent"], women["placed_percent"]) == (
        1000,
        0.2,
        0.1,
    )


def test_empty_city_lists_every_district_with_zeros(client_as):
    data = client_as("outlet_manager").get(URL).json()

    assert data["programmes"][0] == {
        "programme": "wub",
        "target": 5000,
        "registered": 0,
        "placed": 0,
        "registered_percent": 0.0,
        "placed_percent": 0.0,
    }
    assert data["outlets"] == {
        "total": 0,
        "stalls": {"total": 0, "vacant": 0, "offered": 0, "leased": 0},
        "occupancy_percent": None,
    }
    assert len(data["kecamatan"]) == 11
    assert {row["vendors"]["registered"] for row in data["kecamatan"]} == {0}
    assert len(data["without_outlet"]["kecamatan"]) == 11
    assert len(data["without_outlet"]["kelurahan"]) == 63


def test_a_zero_target_has_no_percentage(client_as, settings):
    settings.PROGRAMME_TARGET_WOMEN = 0

    data = client_as("planner").get(URL).json()

    assert data["programmes"][1]["target"] == 0
    assert data["programmes"][1]["registered_percent"] is None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("vendor", 403),
        ("asset_officer", 200),
        ("asset_approver", 200),
        ("outlet_manager", 200),
        ("planner", 200),
    ],
)
def test_who_may_read_programme_progress(role_clients, role, status):
    assert role_clients[role].get(URL).status_code == status


def test_nobody_writes_to_it(client_as):
    # read-only: no role may write, so a write is refused before the method is looked at
    assert client_as("planner").post(URL, {}).status_code == 403


def test_a_few_queries_whatever_the_data(programme, django_assert_num_queries):
    with django_assert_num_queries(5):
        programme_stats()


def test_the_answer_matches_the_openapi_schema(client_as, programme):
    document = _json_schema(SchemaGenerator().get_schema(request=None, public=True))
    operation = document["paths"][URL]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]

    body = client_as("planner").get(URL).json()

    errors = list(Draft202012Validator(_resolve(document, schema)).iter_errors(body))
    assert errors == []
    assert {"401", "403"} <= set(operation["responses"])
