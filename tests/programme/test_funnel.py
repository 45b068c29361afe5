"""The funnel per cohort year, programme and kecamatan: each figure equals, exactly, the people
on the lists and the sessions, licences, applications, leases and inspections in the database;
JSON, CSV and XLSX agree."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from operations.services.enforcement import inspection_record
from outlets import services as outlet_services
from outlets.models import Lease, Offer
from outlets.nik import city_today
from programme import services
from programme.models import Licence
from tests.conftest import client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor
from tests.programme.helpers import BEJI, SAWANGAN, cohort_csv, cohort_niks, row

pytestmark = pytest.mark.django_db

URL = "/api/v1/programme/funnel/"
WUB_2023 = {
    "year": 2023,
    "programme": "wub",
    "kecamatan_code": BEJI,
    "kecamatan_name": "Beji",
    "recruited": 4,
    "coached": 2,
    "licensed": 1,
    "applied": 2,
    "placed": 1,
    "trading": 1,
}
WOMEN_2024 = {
    "year": 2024,
    "programme": "women",
    "kecamatan_code": SAWANGAN,
    "kecamatan_name": "Sawangan",
    "recruited": 2,
    "coached": 1,
    "licensed": 1,
    "applied": 0,
    "placed": 0,
    "trading": 0,
}


@pytest.fixture
def programme(make_asset, make_user):
    """On the lists: 2023 WUB in Beji A, B, C (registered) and D (not); 2024 women in Sawangan
    E (registered) and F (not). X is on no list and does everything; she counts nowhere.

    - A: two sessions, a valid SPP-IRT, applied, leased, inspected closed then trading.
    - B: one session, an expired halal certificate, applied, her offer left open.
    - C: registered only. E: one session, an NIB.
    """
    staff = make_user("programme_staff")
    manager = make_user("outlet_manager")
    niks = cohort_niks(20_000, 4)
    women_niks = cohort_niks(20_100, 2, female=True)
    a, b, c = (make_vendor(nik=n) for n in niks[:3])
    e = make_vendor(nik=women_niks[0], female=True, kelurahan="32.76.03.1001")
    x = make_vendor(wub=True)
    rows = [row(n) for n in niks] + [row(n, "women", 2024, SAWANGAN) for n in women_niks]
    report = services.cohort_list_import(data=cohort_csv(rows), file_name="l.csv", user=staff)
    assert (report["created"], report["matched"]) == (6, 4)

    today = city_today()
    first = services.coaching_session_create(
        user=staff,
        data={"topic": "licensing", "held_on": today, "place": "Aula Beji", "trainer": "DKUM"},
    )
    second = services.coaching_session_create(
        user=staff,
        data={"topic": "packaging", "held_on": today, "place": "Aula Beji", "trainer": "DKUM"},
    )
    services.attendance_record(session=first, user=staff, vendor_ids=[a.pk, b.pk, e.pk, x.pk])
    services.attendance_record(session=second, user=staff, vendor_ids=[a.pk])
    issued = today - timedelta(days=400)
    for vendor, kind, number, expires in (
        (a, "spp_irt", "P-1", None),
        (b, "halal", "H-1", today - timedelta(days=1)),
        (e, "nib", "1234567890123", None),
        (x, "nib", "1234567890124", None),
    ):
        services.licence_create(
            user=staff,
            data={
                "vendor": vendor,
                "kind": kind,
                "number": number,
                "issuer": "DPMPTSP",
                "issued_on": issued,
                "expires_on": expires,
            },
        )
    outlet = make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("K-03", "kiosk"))
    )
    round_ = make_round(manager, [outlet], status="open")
    for vendor in (a, b, x):
        apply(vendor, round_, (outlet, "kiosk"))
    outlet_services.round_close(round_=round_, user=manager)
    outlet_services.round_allocate(round_=round_, user=manager)
    for vendor in (a, x):
        offer = Offer.objects.get(application__vendor=vendor)
        outlet_services.offer_accept(offer=offer, user=vendor.user)
    for vendor, findings in ((a, ("closed", "trading")), (x, ("trading",))):
        stall = Lease.objects.get(vendor=vendor).stall
        for days_ago, finding in zip((1, 0)[-len(findings) :], findings, strict=True):
            inspection_record(
                stall=stall, user=manager, visited_on=today - timedelta(days=days_ago),
                finding=finding,
            )  # fmt: skip
    return {"staff": staff, "vendors": {"a": a, "b": b, "c": c, "e": e, "x": x}}


def test_the_funnel_figures_equal_the_database(programme, make_user):
    # the database as the fixture left it
    vendors = programme["vendors"]
    assert Lease.objects.filter(vendor=vendors["a"]).count() == 1
    assert Licence.objects.filter(vendor=vendors["b"], expires_on__lt=city_today()).count() == 1

    response = client_for(make_user("planner")).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["rows"] == [WUB_2023, WOMEN_2024]
    assert body["total"] == {
        "recruited": 6,
        "coached": 3,
        "licensed": 2,
        "applied": 2,
        "placed": 1,
        "trading": 1,
    }
    years = {(y["year"], y["programme"]): y for y in body["years"]}
    assert (years[(2023, "wub")]["target"], years[(2023, "wub")]["recruited_percent"]) == (
        1750,
        0.23,
    )
    assert years[(2024, "women")]["target"] is None
    assert body["targets"][0]["programme"] == "wub"
    assert (body["targets"][0]["target"], body["targets"][0]["recruited"]) == (5000, 4)
    assert body["targets"][0]["recruited_percent"] == 0.08
    assert (body["targets"][1]["target"], body["targets"][1]["recruited_percent"]) == (1000, 0.2)


def test_filters_and_files_agree(programme, make_user):
    client = client_for(make_user("programme_staff"))
    assert client.get(URL, {"year": 2024}).json()["rows"] == [WOMEN_2024]
    assert client.get(URL, {"kecamatan": BEJI}).json()["rows"] == [WUB_2023]
    assert client.get(URL, {"programme": "women", "year": 2023}).json()["rows"] == []
    for bad in ({"year": "x"}, {"kecamatan": "Beji"}, {"programme": "all"}, {"format": "pdf"}):
        response = client.get(URL, bad)
        assert response.status_code == 400
        assert list(response.json()) == list(bad)

    as_csv = client.get(URL, {"format": "csv"})
    assert as_csv["Content-Type"] == "text/csv"
    lines = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert [{k: str(v) for k, v in r.items()} for r in (WUB_2023, WOMEN_2024)] == lines

    as_xlsx = client.get(URL, {"format": "xlsx"})
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(WUB_2023)
    assert values[1:] == [tuple(WUB_2023.values()), tuple(WOMEN_2024.values())]


def test_who_reads_the_funnel(client_as):
    assert client_as("planner").get(URL).status_code == 200
    assert client_as("programme_staff").get(URL).status_code == 200
    for role in ("vendor", "outlet_manager", "asset_officer"):
        assert client_as(role).get(URL).status_code == 403
