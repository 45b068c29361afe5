"""Public results (#19): anonymous 200s, counts before the draw, the full results after it, and
no vendor's name, NIK digits, phone or address anywhere in the JSON, the file or the page."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from api.fairness.views import PublicThrottle
from core.roles import OUTLET_MANAGER
from fairness.publication import sha256_of
from fairness.selectors import (
    RULE_APPEAL_REMEDY,
    RULE_DEFERRED_ACCEPTANCE,
    RULE_NO_DECLINE_PENALTY,
    RULE_PRIORITY,
)
from outlets import services
from outlets.models import ClaimVerification, Vendor
from outlets.nik import nik_decrypt
from tests.conftest import english_client
from tests.outlets.helpers import (
    BEJI_KECAMATAN,
    apply,
    make_outlet,
    make_round,
    make_vendor,
    unique_nik,
    verify,
)

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/public/rounds/"


@pytest.fixture
def market(make_asset, make_user):
    """A round over one outlet (2 kiosks, 1 booth) with four vendors, one unverified."""
    manager = make_user(OUTLET_MANAGER)
    outlet = make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("B-01", "booth"))
    )
    round_ = make_round(manager, [outlet], status="open", women_reserve_share=0.5, category_cap=1)
    vendors = [
        make_vendor(wub=True, nik=unique_nik(9101)),
        make_vendor(women=True, nik=unique_nik(9102, female=True), category="craft"),
        make_vendor(nik=unique_nik(9103)),
        make_vendor(wub=True, nik=unique_nik(9104)),
    ]
    for n, vendor in enumerate(vendors):
        vendor.phone = f"08577700{n:04d}"
        vendor.full_name = f"Siti Rahayu Nomor{n}"
        vendor.save(update_fields=["phone", "full_name"])
    for vendor in vendors[:3]:
        verify(vendor, manager)
    applications = [
        apply(vendors[0], round_, (outlet, "kiosk"), (outlet, "booth")),
        apply(vendors[1], round_, (outlet, "kiosk")),
        apply(vendors[2], round_, (outlet, "booth"), (outlet, "kiosk")),
        apply(vendors[3], round_, (outlet, "kiosk")),
    ]
    return manager, outlet, round_, vendors, applications


def test_before_the_draw_anyone_sees_how_many_applied_for_how_many_stalls(market):
    _, _, round_, _, _ = market
    client = english_client()

    listing = client.get(PUBLIC)
    detail = client.get(f"{PUBLIC}{round_.pk}/")
    page = client.get(f"/public/rounds/{round_.pk}/")

    assert listing.status_code == detail.status_code == page.status_code == 200
    assert [(r["id"], r["applied"], r["status"]) for r in listing.json()["results"]] == [
        (round_.pk, 4, "open")
    ]
    body = detail.json()
    assert (body["applied"], body["stalls"], body["seed"], body["input_sha256"]) == (
        4, 3, None, None,
    )  # fmt: skip
    assert body["seed_commitment"] == round_.seed_commitment
    assert (body["groups"], body["applications"]) == ([], [])
    assert client.get(f"{PUBLIC}{round_.pk}/verification.json").status_code == 409
    assert "4 applications for 3 stalls." in page.content.decode()


def test_a_draft_round_is_not_public(make_asset, make_user):
    manager = make_user(OUTLET_MANAGER)
    draft = make_round(manager, [make_outlet(make_asset, manager)])
    client = english_client()
    assert client.get(f"{PUBLIC}{draft.pk}/").status_code == 404
    assert client.get(f"/public/rounds/{draft.pk}/").status_code == 404
    assert client.get(PUBLIC).json()["results"] == []


def test_after_the_draw_the_results_are_public_and_match_the_file(market):
    manager, outlet, round_, vendors, applications = market
    services.round_close(round_=round_, user=manager)
    round_ = services.round_allocate(round_=round_, user=manager)
    client = english_client()

    body = client.get(f"{PUBLIC}{round_.pk}/").json()
    document = client.get(f"{PUBLIC}{round_.pk}/verification.json").json()

    assert body["seed"] == round_.seed
    assert body["rules"] == [
        str(RULE_PRIORITY), str(RULE_DEFERRED_ACCEPTANCE), str(RULE_NO_DECLINE_PENALTY),
        str(RULE_APPEAL_REMEDY),
    ]  # fmt: skip
    assert body["rules"][0].startswith("Priority at each group (outlet and stall kind)")
    assert body["engine_version"] == "deferred-acceptance/2"
    assert body["input_sha256"] == sha256_of(document["input"]) == document["input_sha256"]
    assert body["params"] == {
        "women_reserve_share": 0.5, "category_cap": 1, "max_choices": 3, "objection_days": 0,
        "appeal_days": 14, "decline_penalty": False,
    }  # fmt: skip
    kiosk, booth = f"{outlet.pk}/kiosk", f"{outlet.pk}/booth"
    by_group = {g["id"]: g for g in body["groups"]}
    assert {k: (g["capacity"], g["reserved"], g["applicants"], g["offers"]) for k, g in
            by_group.items()} == {booth: (1, 0, 2, 1), kiosk: (2, 1, 4, 2)}  # fmt: skip
    rows = {a["id"]: a for a in body["applications"]}
    a0, a1, a2, a3 = (app.pk for app in applications)
    # a0 WUB + local (kiosk tier 0,0), a1 women + local takes the reserved kiosk, a2 not a
    # member gets her booth, a3's WUB claim is unverified: programme 1, not local anywhere
    assert {i: (rows[i]["programme"], rows[i]["outcome"]) for i in rows} == {
        a0: (0, kiosk), a1: (0, kiosk), a2: (1, booth), a3: (1, None),
    }  # fmt: skip
    assert rows[a3]["choices"] == [{"group": kiosk, "local": 1}]
    assert rows[a0]["choices"] == [{"group": kiosk, "local": 0}, {"group": booth, "local": 0}]
    assert rows[a0]["verified"] == {
        "wub_participant": {"verified": True, "evidence": "manager_check"},
        "women_programme": {"verified": False, "evidence": None},
        "domicile": {"verified": True, "evidence": "manager_check"},
    }
    assert rows[a3]["verified"]["wub_participant"] == {"verified": False, "evidence": None}
    assert {a["id"]: a["lottery"] for a in document["result"]["applications"]} == {
        i: rows[i]["lottery"] for i in rows
    }
    assert by_group[kiosk]["cutoff"]["programme"] == 0
    page = client.get(f"/public/rounds/{round_.pk}/").content.decode()
    assert round_.seed in page
    assert body["input_sha256"] in page
    assert BEJI_KECAMATAN not in json.dumps(document)


def test_no_personal_data_in_the_json_the_file_or_the_pages(market):
    manager, _, round_, vendors, _ = market
    listing_before = english_client().get(f"/public/rounds/{round_.pk}/").content.decode()
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    client = english_client()
    texts = [
        listing_before,
        client.get(PUBLIC).content.decode(),
        client.get(f"{PUBLIC}{round_.pk}/").content.decode(),
        client.get(f"{PUBLIC}{round_.pk}/verification.json").content.decode(),
        client.get("/public/rounds/").content.decode(),
        client.get(f"/public/rounds/{round_.pk}/").content.decode(),
    ]
    for vendor in Vendor.objects.select_related("home_kelurahan"):
        nik = nik_decrypt(vendor.nik_encrypted)
        secrets = [
            vendor.full_name,
            "Siti Rahayu",
            nik,
            nik[6:12],  # the birth-date digits
            vendor.nik_masked,
            vendor.phone,
            vendor.phone[1:],
            vendor.business_name,
            vendor.birth_date.isoformat(),
        ]
        if vendor.home_kelurahan_id:
            secrets += [vendor.home_kelurahan_id, vendor.home_kelurahan.name]
        for text in texts:
            for secret in secrets:
                assert secret not in text, (secret, vendor.pk)


@pytest.mark.parametrize("path", ["/api/v1/public/rounds/{}/", "/public/rounds/{}/"])
def test_a_huge_or_unknown_round_id_is_a_404(path):
    client = english_client()
    for pk in (10**30, 2**63, 987654):
        assert client.get(path.format(pk)).status_code == 404
    assert client.get("/api/v1/public/rounds/-1/").status_code == 404
    assert client.get(f"/api/v1/public/rounds/{10**30}/verification.json").status_code == 404


def test_the_evidence_of_each_verified_claim_is_named(market):
    manager, _, round_, vendors, applications = market
    # the unverified WUB vendor is matched on a cohort list (issue 20's reason text)
    ClaimVerification.objects.create(
        vendor=vendors[3], claim="wub_participant", reason="Cohort list 7: wub 2025",
        verified_by=manager, verified_at=timezone.now(),
    )  # fmt: skip
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)

    rows = {
        a["id"]: a for a in english_client().get(f"{PUBLIC}{round_.pk}/").json()["applications"]
    }

    assert rows[applications[3].pk]["verified"]["wub_participant"] == {
        "verified": True, "evidence": "cohort_list",
    }  # fmt: skip
    assert rows[applications[3].pk]["programme"] == 0
    assert rows[applications[0].pk]["verified"]["wub_participant"]["evidence"] == "manager_check"


def test_the_public_results_are_throttled_per_address(market, settings, monkeypatch):
    _, _, round_, _, _ = market
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "3/minute"}
    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", rates, raising=False)
    client = english_client()

    codes = [client.get(f"{PUBLIC}{round_.pk}/").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
