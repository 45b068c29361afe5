"""Programme membership and domicile rank a vendor only once an outlet manager verified them.

The claims are the first keys of the allocation priority, and the vendor ticks them herself: so
an unverified claim counts as not made, a changed claim loses its verification, and while a round
that holds her application is still to be allocated she cannot change them at all.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from outlets import allocation, services
from outlets.models import ClaimVerification, Offer, Vendor
from tests.conftest import client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor, verify

# A Depok kelurahan outside the test outlet's kecamatan (Beji): WUB needs a Depok domicile.
SAWANGAN = "32.76.03.1010"

pytestmark = pytest.mark.django_db

ME = "/api/v1/vendors/me/"
NOT_VERIFIED = {"claimed": True, "verified": False}
VERIFIED = {"claimed": True, "verified": True}
NOT_CLAIMED = {"claimed": False, "verified": False}


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


@pytest.fixture
def outlet(make_asset, manager):
    return make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"),))


def allocate(round_, manager):
    services.round_close(round_=round_, user=manager)
    return services.round_allocate(round_=round_, user=manager)


def test_an_unverified_wub_claim_loses_to_a_verified_one_whatever_the_lottery(manager, outlet):
    # given: one kiosk, two WUB claimants outside the outlet's kecamatan; one claim verified.
    # Twenty rounds, so the lottery favours the unverified one in about half of them.
    outcomes = []
    for _ in range(20):
        Offer.objects.update(status="declined")
        outlet.stalls.update(status="vacant")
        round_ = make_round(manager, [outlet], status="open")
        checked = make_vendor(wub=True, kelurahan=SAWANGAN)
        unchecked = make_vendor(wub=True, kelurahan=SAWANGAN)
        verify(checked, manager, "wub_participant")
        a_checked = apply(checked, round_, (outlet, "kiosk"))
        a_unchecked = apply(unchecked, round_, (outlet, "kiosk"))

        # when
        round_ = allocate(round_, manager)

        # then
        offer = Offer.objects.get(application__round=round_)
        a_unchecked.refresh_from_db()
        outcomes.append(
            (
                offer.application_id == a_checked.pk,
                a_checked.choices.get().priority["programme"],
                a_unchecked.choices.get().priority["programme"],
                allocation.lottery(round_.seed, a_unchecked.pk)
                < allocation.lottery(round_.seed, a_checked.pk),
            )
        )
    assert [o[:3] for o in outcomes] == [(True, 0, 1)] * 20
    assert 0 < sum(o[3] for o in outcomes) < 20  # the lottery alone would have picked either


def test_an_unverified_domicile_counts_as_not_resident(manager, outlet):
    round_ = make_round(manager, [outlet], status="open")
    resident = make_vendor()  # Beji, the outlet's kecamatan
    claimant = make_vendor()
    verify(resident, manager, "domicile")
    a_resident = apply(resident, round_, (outlet, "kiosk"))
    a_claimant = apply(claimant, round_, (outlet, "kiosk"))

    allocate(round_, manager)

    assert a_resident.choices.get().priority["local"] == 0
    assert a_claimant.choices.get().priority["local"] == 1
    assert Offer.objects.get().application_id == a_resident.pk


@pytest.mark.parametrize("round_status", ["open", "closed"])
@pytest.mark.parametrize(
    "change",
    [{"wub_participant": False}, {"women_programme": True}, {"home_kelurahan_code": SAWANGAN}],
)
def test_a_claim_cannot_change_while_a_round_holding_her_application_is_unallocated(
    manager, outlet, round_status, change
):
    # given: a woman with a verified WUB claim and domicile, applied to a round
    vendor = make_vendor(wub=True, female=True)
    verify(vendor, manager)
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))
    if round_status == "closed":
        services.round_close(round_=round_, user=manager)
    before = list(Vendor.objects.values_list())
    history, events = vendor.history.count(), AuditEvent.objects.count()

    # when
    response = client_for(vendor.user).patch(ME, {**change, "phone": "085700001111"})

    # then: refused, and nothing changed
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.CLAIMS_LOCKED)}
    assert list(Vendor.objects.values_list()) == before
    assert (vendor.history.count(), AuditEvent.objects.count()) == (history, events)
    assert ClaimVerification.objects.filter(revoked_at=None).count() == 2


def test_other_fields_and_unchanged_claims_may_be_sent_during_a_round(manager, outlet):
    vendor = make_vendor(wub=True)
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))

    response = client_for(vendor.user).patch(
        ME, {"phone": "085700001111", "wub_participant": True}, format="json"
    )

    assert response.status_code == 200
    assert Vendor.objects.get().phone == "085700001111"


def test_after_allocation_a_changed_claim_loses_its_verification(manager, outlet):
    vendor = make_vendor(wub=True)
    verify(vendor, manager)
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))
    allocate(round_, manager)
    client = client_for(vendor.user)
    assert client.get(ME).json()["verified_claims"] == ["domicile", "wub_participant"]

    response = client.patch(ME, {"home_kelurahan_code": "32.76.03.1009"}, format="json")

    assert response.status_code == 200
    assert response.json()["verified_claims"] == ["wub_participant"]
    revoked = ClaimVerification.objects.get(claim="domicile")
    assert revoked.revoked_at is not None
    record = client_for(manager).get(f"/api/v1/vendors/{vendor.pk}/").json()
    assert record["claims"]["domicile"] == {
        "claimed": True,
        "verified": False,
        "verified_by": None,
        "verified_at": None,
        "reason": None,
    }
    assert record["claims"]["wub_participant"]["verified"] is True


def test_verification_records_who_when_and_why(manager):
    vendor = make_vendor(wub=True)
    client = client_for(manager)
    before = timezone.now()

    response = client.post(
        f"/api/v1/vendors/{vendor.pk}/verify/",
        {"claims": ["wub_participant", "domicile"], "reason": "Daftar WUB 2026; KTP dilihat"},
        format="json",
    )

    assert response.status_code == 200
    rows = list(ClaimVerification.objects.order_by("claim"))
    assert [(r.claim, r.verified_by, r.reason, r.revoked_at) for r in rows] == [
        ("domicile", manager, "Daftar WUB 2026; KTP dilihat", None),
        ("wub_participant", manager, "Daftar WUB 2026; KTP dilihat", None),
    ]
    assert before <= rows[0].verified_at <= timezone.now()
    at = rows[0].verified_at.isoformat().replace("+00:00", "Z")
    state = {
        "claimed": True,
        "verified": True,
        "verified_by": manager.username,
        "verified_at": at,
        "reason": "Daftar WUB 2026; KTP dilihat",
    }
    assert response.json()["claims"] == {
        "wub_participant": state,
        "women_programme": {
            "claimed": False,
            "verified": False,
            "verified_by": None,
            "verified_at": None,
            "reason": None,
        },
        "domicile": state,
    }
    # the trail says who verified what, not what the manager wrote about the vendor
    events = AuditEvent.objects.filter(object_type="outlets.claimverification")
    assert sorted((e.username, e.changes["claim"][1]) for e in events) == [
        (manager.username, "domicile"),
        (manager.username, "wub_participant"),
    ]
    assert {e.changes["reason"][1] for e in events} == {"<redacted>"}
    # verifying again keeps the first verification
    again = client.post(
        f"/api/v1/vendors/{vendor.pk}/verify/",
        {"claims": ["wub_participant"], "reason": "Lagi"},
        format="json",
    )
    assert again.status_code == 200
    assert ClaimVerification.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"claims": ["women_programme"], "reason": "Daftar"},
            {"claims": [str(services.CLAIM_NOT_MADE).format(claim="women_programme")]},
        ),
        (
            {"claims": ["wub_participant"], "reason": "  "},
            {"reason": [str(services.VERIFY_REASON_REQUIRED)]},
        ),
        ({"claims": [], "reason": "Daftar"}, {"claims": ["This list may not be empty."]}),
        (
            {"claims": ["nik"], "reason": "Daftar"},
            {"claims": {"0": ['"nik" is not a valid choice.']}},
        ),
        ({"reason": "Daftar"}, {"claims": ["This field is required."]}),
    ],
)
def test_a_bad_verification_is_a_400_naming_the_field_and_writes_nothing(manager, body, errors):
    vendor = make_vendor(wub=True)

    response = client_for(manager).post(f"/api/v1/vendors/{vendor.pk}/verify/", body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert ClaimVerification.objects.count() == 0


@pytest.mark.parametrize("role", ["planner", "vendor", "asset_officer"])
def test_only_outlet_managers_verify(client_as, role):
    vendor = make_vendor(wub=True)
    body = {"claims": ["wub_participant"], "reason": "Daftar"}
    response = client_as(role).post(f"/api/v1/vendors/{vendor.pk}/verify/", body, format="json")
    assert response.status_code == 403
    assert ClaimVerification.objects.count() == 0


def test_results_say_which_claims_were_verified(client_as, manager, outlet):
    # given: a verified WUB member (domicile unverified) and a vendor with no claims verified
    round_ = make_round(manager, [outlet], status="open")
    member = make_vendor(wub=True, female=True, women=True)
    verify(member, manager, "wub_participant")
    plain = make_vendor(kelurahan=None)
    a_member = apply(member, round_, (outlet, "kiosk"))
    a_plain = apply(plain, round_, (outlet, "kiosk"))
    allocate(round_, manager)
    # a verification after allocation does not rewrite what the allocation counted
    verify(member, manager, "domicile")

    # when
    url = f"/api/v1/rounds/{round_.pk}/results/"
    as_manager = client_for(manager).get(url).json()
    as_planner = client_as("planner").get(url).json()
    own = client_for(member.user).get("/api/v1/applications/mine/").json()["results"][0]

    # then
    claims = {a["id"]: a["claims"] for a in as_manager["applications"]}
    assert claims == {
        a_member.pk: {
            "wub_participant": VERIFIED,
            "women_programme": NOT_VERIFIED,
            "domicile": NOT_VERIFIED,
        },
        a_plain.pk: {
            "wub_participant": NOT_CLAIMED,
            "women_programme": NOT_CLAIMED,
            "domicile": NOT_CLAIMED,
        },
    }
    assert own["claims"] == claims[a_member.pk]
    # to planners a vendor's memberships and domicile are personal data
    assert [a["claims"] for a in as_planner["applications"]] == [None, None]


def test_a_claim_verified_while_the_round_is_open_counts(manager, outlet):
    round_ = make_round(manager, [outlet], status="open", closes_at=timezone.now() + timedelta(1))
    vendor = make_vendor(wub=True, kelurahan=SAWANGAN)
    application = apply(vendor, round_, (outlet, "kiosk"))
    verify(vendor, manager, "wub_participant")

    allocate(round_, manager)

    assert application.choices.get().priority["programme"] == 0
