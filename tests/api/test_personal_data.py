"""Personal data stays with those who need it: a planner cannot rebuild a vendor's NIK.

A vendor's NIK is 16 digits: region (6), birth date with the sex folded into the day (6), and a
sequence number (4). The masked NIK shows the first four and the last four, so a birth date,
gender or domicile seen next to it left only a few thousand NIKs to try against registration.
Here a planner reads every endpoint the schema offers, and the registration answer for a taken
NIK is the answer for a refusal anyone can predict, given only once everything else is valid.
"""

from __future__ import annotations

import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from rest_framework.throttling import ScopedRateThrottle

from core.audit import REDACTED
from core.models import AuditEvent
from core.roles import PLANNER
from outlets import services
from outlets.models import DuplicateNikAttempt, Offer, Vendor
from tests.conftest import client_for
from tests.outlets.helpers import make_nik, make_outlet, make_round

pytestmark = pytest.mark.django_db

URL = "/api/v1/vendors/register/"
# A woman (day 17 + 40 = 57) born 17 May 1990, NIK issued in Kecamatan Beji, sequence 7283. Its
# four-digit windows occur nowhere in the fixed data the endpoints serve (checked below).
NIK = "3276065705907283"
MASKED = "3276********7283"
PHONE = "081298765431"
NEW_PHONE = "085711112222"
HOME = "32.76.03.1009"  # a kelurahan of Sawangan, where no asset of the test stands
NEW_HOME = "32.76.03.1010"
BIRTH_DATES = ("1990-05-17", "17-05-1990", "17/05/1990", "17 May 1990", "1990-5-17")
PW = "Stall-pass-2026!"
# Endpoints that list every district of Depok: a kelurahan code there is a place, not a person.
DISTRICT_CATALOGUES = ("/api/v1/districts/", "/api/v1/stats/districts/", "/api/v1/stats/programme/")


def registration(**overrides) -> dict:
    data = {
        "username": "sri",
        "password": PW,
        "full_name": "Sri Wahyuni",
        "nik": NIK,
        "phone": PHONE,
        "business_name": "Warung Sri",
        "product_category": "culinary",
        "wub_participant": True,
        "women_programme": True,
        "home_kelurahan_code": HOME,
    }
    data.update(overrides)
    return data


def windows(digits: str, size: int = 4) -> set[str]:
    return {digits[i : i + size] for i in range(len(digits) - size + 1)}


# Values that are random or clock-made on every run: a NIK window inside one would be chance, not
# a leak, so they are blanked before the digit scan (the whole NIK is looked for before that).
# Database ids count among them: PostgreSQL's sequences run on across tests, and an audit event
# numbered 3276 (the region code that begins every Depok NIK) once failed this test.
RANDOM_VALUES = (
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"),
    re.compile(r"[0-9a-f]{32,}"),  # seeds, commitments, input hashes, request ids
    re.compile(r'"lottery":\s*"\d+"'),
    re.compile(r'"(?:id|pk|[a-z_]+_id)":\s*"?\d+"?'),  # a row's id, or one it refers to
    re.compile(r"/\d+/"),  # an id in a link
    re.compile(r"^\d+(?=,)", re.MULTILINE),  # the id column that begins each row of a CSV export
)


def without_random_values(text: str) -> str:
    for pattern in RANDOM_VALUES:
        text = pattern.sub("<random>", text)
    return text


def leaks(path: str, text: str) -> list[str]:
    found = [s for s in (NIK, MASKED, PHONE, NEW_PHONE, "Sri Wahyuni", *BIRTH_DATES) if s in text]
    if "/audit/" not in path:  # the trail names a redacted field; elsewhere none is served
        keys = ("gender", "birth_date", "nik_masked", "full_name", "phone", "home_kelurahan_code")
        found += [f"key {key}" for key in keys if f'"{key}"' in text]
    if not path.startswith(DISTRICT_CATALOGUES):
        found += [code for code in (HOME, NEW_HOME) if code in text]
    # The shipped boundaries (thousands of coordinates, and the region codes that begin every
    # Depok NIK) are the same whoever registers: only the whole NIK is looked for there.
    if not path.startswith("/api/v1/districts/"):
        scanned = without_random_values(text)
        found += sorted(w for w in windows(NIK) if w in scanned)
    return found


def body_of(response) -> str:
    if response.streaming:  # the CSV export
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def planner_urls(client, ids: dict[str, list[int]]) -> list[str]:
    """Every GET of the published schema, each path filled with every id the test made."""
    schema = client.get("/api/v1/schema/?format=json").json()
    urls = []
    for path, item in schema["paths"].items():
        if "get" not in item or path.endswith(("/schema/", "/docs/")):
            continue
        if "{code}" in path:
            urls.append(path.replace("{code}", "32.76.06"))
        elif "{id}" in path:
            resource = path.split("/")[3]
            urls += [path.replace("{id}", str(pk)) for pk in ids.get(resource, [1])]
        else:
            urls.append(path + ("?limit=1000" if path.endswith(("/audit/",)) else ""))
    return urls


def test_a_planner_reading_every_endpoint_learns_nothing_of_a_vendors_nik(
    api_client, make_user, make_asset
):
    # given: a vendor registered, applied, was allocated and leased a stall, then moved and
    # changed her phone; and an audit event written before the trail hid personal data
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    round_ = make_round(manager, [outlet], status="open")
    registered = api_client.post(URL, registration(), format="json")
    assert registered.status_code == 201, registered.json()
    vendor = Vendor.objects.get()
    vendor_client = client_for(vendor.user)
    choices = {"choices": [{"outlet": outlet.pk, "stall_kind": "kiosk"}]}
    applied = vendor_client.post(f"/api/v1/rounds/{round_.pk}/applications/", choices)
    assert applied.status_code == 201
    manager_client = client_for(manager)
    assert manager_client.post(f"/api/v1/rounds/{round_.pk}/close/").status_code == 200
    assert manager_client.post(f"/api/v1/rounds/{round_.pk}/allocate/").status_code == 200
    offer = Offer.objects.get()
    assert vendor_client.post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 200
    patched = vendor_client.patch(
        "/api/v1/vendors/me/", {"phone": NEW_PHONE, "home_kelurahan_code": NEW_HOME}
    )
    assert patched.status_code == 200
    old = AuditEvent.objects.create(
        at=vendor.created_at,
        action="update",
        object_type="outlets.vendor",
        object_id=str(vendor.pk),
        object_repr=f"Sri Wahyuni ({MASKED})",
        changes={
            "nik_masked": [None, MASKED],
            "birth_date": [None, "1990-05-17"],
            "gender": [None, "F"],
            "phone": [None, PHONE],
            "home_kelurahan_id": [None, HOME],
            "business_name": [None, "Warung Sri"],
        },
    )
    planner = client_for(make_user(PLANNER))
    ids = {
        "assets": [outlet.asset_id],
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "outlets": [outlet.pk],
        "rounds": [round_.pk],
        "offers": [offer.pk],
        "leases": [offer.lease.pk],
        "applications": [applied.json()["id"]],
        "vendors": [vendor.pk],
    }

    # when: the planner reads every endpoint of the schema
    answers = {url: planner.get(url) for url in planner_urls(planner, ids)}

    # then: she read the trail, results, leases and statistics, and none of it holds the
    # vendor's NIK, masked NIK, any four of its digits in a row, birth date, gender, phone, name
    # or home kelurahan
    readable = {url for url, r in answers.items() if r.status_code == 200}
    assert {
        "/api/v1/audit/?limit=1000",
        f"/api/v1/audit/{old.pk}/",
        f"/api/v1/rounds/{round_.pk}/results/",
        f"/api/v1/leases/{offer.lease.pk}/",
        "/api/v1/stats/programme/",
        "/api/v1/assets/export/",
    } <= readable
    assert {url for url, r in answers.items() if r.status_code not in (200, 403, 404)} == set()
    found = {url: leaks(url, body_of(r)) for url, r in answers.items()}
    assert {url: f for url, f in found.items() if f} == {}
    assert answers[f"/api/v1/vendors/{vendor.pk}/"].status_code == 403
    assert len(AuditEvent.objects.filter(object_type="outlets.vendor")) == 3
    served = planner.get(f"/api/v1/audit/{old.pk}/").json()
    assert served["object_repr"] == f"outlets.vendor {vendor.pk}"
    assert served["changes"] == {
        "nik_masked": [REDACTED, REDACTED],
        "birth_date": [REDACTED, REDACTED],
        "gender": [REDACTED, REDACTED],
        "phone": [REDACTED, REDACTED],
        "home_kelurahan_id": [REDACTED, REDACTED],
        "business_name": [None, "Warung Sri"],
    }


def test_the_audit_trail_stores_no_personal_data_of_a_vendor(api_client):
    assert api_client.post(URL, registration(), format="json").status_code == 201
    vendor = Vendor.objects.get()
    services.vendor_update(
        vendor=vendor, user=vendor.user, data={"phone": NEW_PHONE, "business_name": "Warung Sri 2"}
    )

    created, updated = AuditEvent.objects.filter(object_type="outlets.vendor").order_by("id")

    assert (created.object_repr, updated.object_repr) == (f"outlets.vendor {vendor.pk}",) * 2
    assert updated.changes == {
        "phone": [REDACTED, REDACTED],
        "business_name": ["Warung Sri", "Warung Sri 2"],
    }
    hidden = ("full_name", "nik_masked", "nik_hash", "gender", "birth_date", "phone")
    assert {name: created.changes[name] for name in hidden} == dict.fromkeys(
        hidden, [REDACTED, REDACTED]
    )
    assert created.changes["home_kelurahan_id"] == [REDACTED, REDACTED]
    assert created.changes["business_name"] == [None, "Warung Sri"]
    for event in AuditEvent.objects.all():
        assert leaks("/audit/", str(event.changes) + event.object_repr) == [], event.object_type


def test_the_migration_scrubs_vendor_events_written_before(make_user):
    event = AuditEvent.objects.create(
        at="2026-01-05T03:00:00Z",
        action="create",
        object_type="outlets.vendor",
        object_id="7",
        object_repr=f"Sri Wahyuni ({MASKED})",
        changes={"birth_date": [None, "1990-05-17"], "nib": [None, "1234567890123"]},
    )
    other = AuditEvent.objects.create(
        at="2026-01-05T03:00:00Z",
        action="create",
        object_type="assets_app.asset",
        object_id="8",
        object_repr="SD Negeri Beji 1",
        changes={"address": [None, "Jl. Margonda Raya 1"]},
    )
    migration = importlib.import_module("outlets.migrations.0003_duplicate_nik_attempt")

    migration.scrub_vendor_audit_events(apps, None)

    event.refresh_from_db()
    other.refresh_from_db()
    assert (event.object_repr, event.changes) == (
        "outlets.vendor 7",
        {"birth_date": [REDACTED, REDACTED], "nib": [None, "1234567890123"]},
    )
    assert (other.object_repr, other.changes) == (
        "SD Negeri Beji 1",
        {"address": [None, "Jl. Margonda Raya 1"]},
    )


# --- registration: a taken NIK is not told apart -------------------------------------------


YOUNG_NIK = make_nik(born=date(2015, 1, 1), sequence="0815")  # under nik.VENDOR_MIN_AGE


def test_a_taken_nik_gets_the_answer_of_a_nik_too_young_to_register(api_client, make_user):
    assert api_client.post(URL, registration(), format="json").status_code == 201
    owner = Vendor.objects.get()
    plain = {"wub_participant": False, "women_programme": False}

    taken = api_client.post(URL, registration(username="dua", **plain), format="json")
    young = api_client.post(URL, registration(username="tiga", nik=YOUNG_NIK, **plain))

    assert (taken.status_code, taken.json()) == (400, {"nik": [str(services.NIK_NOT_ACCEPTED)]})
    assert (young.status_code, young.json()) == (taken.status_code, taken.json())
    assert Vendor.objects.count() == 1
    assert list(Vendor.objects.values_list("user__username", flat=True)) == ["sri"]
    # the owner's record tells an outlet manager, and no one else, of the attempt
    attempt = DuplicateNikAttempt.objects.get()
    assert attempt.vendor_id == owner.pk
    assert len(attempt.request_id) == 32
    record = client_for(make_user("outlet_manager")).get(f"/api/v1/vendors/{owner.pk}/").json()
    assert record["duplicate_nik_attempts"] == 1
    assert record["last_duplicate_nik_attempt_at"] == attempt.at.isoformat().replace("+00:00", "Z")
    assert "birth_date" not in record
    assert "gender" not in record
    assert client_for(make_user(PLANNER)).get(f"/api/v1/vendors/{owner.pk}/").status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "12"),
        ("username", "bad name!"),
        ("password", "123"),
        ("home_kelurahan_code", "31.71.01.1001"),
        ("nib", "12345"),
    ],
)
def test_with_another_field_invalid_a_taken_nik_is_not_mentioned(api_client, field, value):
    assert api_client.post(URL, registration(), format="json").status_code == 201
    free_nik = make_nik(female=True, sequence="5151")

    other = {"username": "dua", field: value}

    taken = api_client.post(URL, registration(**other), format="json")
    free = api_client.post(URL, registration(**other, nik=free_nik), format="json")

    assert taken.status_code == 400
    assert list(taken.json()) == [field]
    assert (free.status_code, free.json()) == (taken.status_code, taken.json())
    assert Vendor.objects.count() == 1
    assert DuplicateNikAttempt.objects.count() == 0


def test_failed_registrations_count_against_the_throttle(api_client, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"register": "2/hour"})
    codes = [
        api_client.post(URL, registration(phone="12"), format="json").status_code,
        api_client.post(URL, registration(nik=YOUNG_NIK, women_programme=False)).status_code,
        api_client.post(URL, registration(), format="json").status_code,
    ]
    assert codes == [400, 400, 429]
    assert Vendor.objects.count() == 0
