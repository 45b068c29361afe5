"""The decision trail of a change of use in the admin: each step is a form on its own admin URL
calling the reclassification services, through the real admin with the Django test client, per
role and object. Nothing is written on a refusal; a refused approval leaves no Document (and no
stored file); the approved change moves custody to the outlets agency with the decree attached,
and the history has each step with who."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assets_app.agencies import outlets_agency
from assets_app.models import Asset, Reclassification
from assets_app.services import (
    reclassification_propose,
    reclassification_review,
)
from assets_app.services.reclassification import (
    ASSET_NOT_ELIGIBLE,
    ONLY_MANAGING_REVIEWS,
    OPEN_PROPOSAL_EXISTS,
    PROPOSER_CANNOT_DECIDE,
)
from core.roles import ASSET_APPROVER, ASSET_OFFICER, PLANNER
from documents.models import Document
from documents.services import FILE_TYPE_REFUSED
from tests.conftest import MINIMAL_PDF

pytestmark = pytest.mark.django_db

PASSWORD = "Pass-word-123"
ASSETS = "/admin/assets_app/asset/"
RECLASSIFICATIONS = "/admin/assets_app/reclassification/"
REQUIRED = "This field is required."


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def people(make_user):
    """The cast: a DISDIK officer (the custodian), a BKD reviewer, an approver, a DINKES
    officer (another agency) and a planner."""
    return {
        "proposer": make_user(ASSET_OFFICER, username="ani", agency="DISDIK"),
        "reviewer": make_user(ASSET_OFFICER, username="budi", agency="BKD"),
        "approver": make_user(ASSET_APPROVER, username="citra"),
        "other": make_user(ASSET_OFFICER, username="dewi", agency="DINKES"),
        "planner": make_user(PLANNER, username="eko"),
    }


@pytest.fixture
def asset(make_asset):
    return make_asset(
        register_code="DISDIK-GEDUNG-1",
        custodian_agency="DISDIK",
        use="office",
        condition="good",
        status="idle",
    )


def approve_form(**overrides) -> dict:
    data = {
        "note": "Setuju",
        "decree_number": "SK 028/123/Kpts/2026",
        "decree_date": "2026-03-02",
        "decree_file": SimpleUploadedFile("sk.pdf", MINIMAL_PDF, "application/pdf"),
        "handover_number": "BAST 028/45/2026",
        "handover_date": "2026-03-09",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def field_errors(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


# --- propose ---------------------------------------------------------------------------------


def test_the_custodian_officer_proposes_from_the_assets_page(people, asset):
    client = signed_in(people["proposer"])
    page = client.get(f"{ASSETS}{asset.pk}/change/").content.decode()
    url = f"{ASSETS}{asset.pk}/propose/"
    assert f'href="{url}"' in page

    form = client.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'name="reason"' in body
    assert 'id="assessment-now"' in body

    response = client.post(url, {"reason": "Gedung kosong, untuk gerai UMKM"})
    reclassification = Reclassification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{RECLASSIFICATIONS}{reclassification.pk}/change/"
    assert reclassification.proposed_by == people["proposer"]
    assert reclassification.status == "proposed"
    # Now the asset's page links to the open proposal, and no second one is offered.
    page = client.get(f"{ASSETS}{asset.pk}/change/").content.decode()
    assert f'href="{url}"' not in page
    assert f'href="{RECLASSIFICATIONS}{reclassification.pk}/change/"' in page
    again = client.get(url, follow=True)
    assert str(OPEN_PROPOSAL_EXISTS) in messages_of(again)


def test_the_propose_form_shows_the_failing_rules_in_words(people, make_asset):
    small = make_asset(custodian_agency="DISDIK", use="office", land_area_m2=20.0, status="idle")
    body = signed_in(people["proposer"]).get(f"{ASSETS}{small.pk}/propose/").content.decode()
    assert "The asset fails the assessment" in body
    assert "20" in body.split('id="assessment-now"')[1].split("</div>")[0]


def test_an_empty_reason_shows_on_its_field_and_writes_nothing(people, asset):
    response = signed_in(people["proposer"]).post(f"{ASSETS}{asset.pk}/propose/", {"reason": " "})
    assert response.status_code == 200
    assert field_errors(response) == {"reason": [REQUIRED]}
    assert not Reclassification.objects.exists()


def test_an_asset_already_in_economic_use_offers_no_proposal(people, make_asset):
    outlet = make_asset(status="designated_economic")
    client = signed_in(people["reviewer"])  # the managing agency writes every asset
    page = client.get(f"{ASSETS}{outlet.pk}/change/").content.decode()
    assert 'name="name"' in page  # writable
    assert "/propose/" not in page
    opened = client.get(f"{ASSETS}{outlet.pk}/propose/", follow=True)
    assert str(ASSET_NOT_ELIGIBLE) in messages_of(opened)
    response = client.post(f"{ASSETS}{outlet.pk}/propose/", {"reason": "lagi"}, follow=True)
    assert str(ASSET_NOT_ELIGIBLE) in messages_of(response)
    assert Reclassification.objects.filter(asset=outlet).count() == 1  # the fixture's own


@pytest.mark.parametrize("who", ["other", "planner", "approver"])
def test_who_may_not_write_the_asset_cannot_propose(people, asset, who):
    client = signed_in(people[who])
    page = client.get(f"{ASSETS}{asset.pk}/change/").content.decode()
    assert "/propose/" not in page
    assert client.get(f"{ASSETS}{asset.pk}/propose/").status_code == 403
    response = client.post(f"{ASSETS}{asset.pk}/propose/", {"reason": "mine now"})
    assert response.status_code == 403
    assert not Reclassification.objects.exists()


# --- review, approve, reject, withdraw -------------------------------------------------------


@pytest.fixture
def proposal(people, asset):
    return reclassification_propose(asset=asset, user=people["proposer"], reason="Untuk gerai")


def step_links(client, reclassification) -> set[str]:
    body = client.get(f"{RECLASSIFICATIONS}{reclassification.pk}/change/").content.decode()
    return {
        step
        for step in ("review", "approve", "reject", "withdraw")
        if f'href="{RECLASSIFICATIONS}{reclassification.pk}/{step}/"' in body
    }


def test_each_role_sees_only_the_steps_it_may_take(people, proposal):
    assert step_links(signed_in(people["proposer"]), proposal) == {"withdraw"}
    assert step_links(signed_in(people["reviewer"]), proposal) == {"review"}
    assert step_links(signed_in(people["approver"]), proposal) == {"reject"}
    assert step_links(signed_in(people["other"]), proposal) == set()  # not the managing agency
    assert step_links(signed_in(people["planner"]), proposal) == set()
    reclassification_review(reclassification=proposal, user=people["reviewer"], note="OK")
    assert step_links(signed_in(people["approver"]), proposal) == {"approve", "reject"}
    assert step_links(signed_in(people["reviewer"]), proposal) == set()


def test_the_proposer_cannot_review_or_approve_her_own(make_user, people, asset):
    # An officer of the managing agency who is also an approver proposes.
    both = make_user(ASSET_OFFICER, ASSET_APPROVER, username="fani", agency="BKD")
    own = reclassification_propose(asset=asset, user=both, reason="Untuk gerai")
    client = signed_in(both)
    assert step_links(client, own) == {"withdraw"}
    base = f"{RECLASSIFICATIONS}{own.pk}"

    opened = client.get(f"{base}/review/", follow=True)
    assert str(PROPOSER_CANNOT_DECIDE) in messages_of(opened)
    response = client.post(f"{base}/review/", {"note": "Saya setuju"}, follow=True)
    assert str(PROPOSER_CANNOT_DECIDE) in messages_of(response)
    own.refresh_from_db()
    assert (own.status, own.reviewed_by) == ("proposed", None)

    reclassification_review(reclassification=own, user=people["reviewer"], note="OK")
    response = client.post(f"{base}/approve/", approve_form(), follow=True)
    assert str(PROPOSER_CANNOT_DECIDE) in messages_of(response)
    own.refresh_from_db()
    assert (own.status, own.decided_by) == ("reviewed", None)
    assert not Document.objects.exists()
    assert stored_files() == []
    assert own.history.count() == 2  # proposed, reviewed


def test_an_officer_of_another_agency_cannot_review(people, proposal):
    client = signed_in(people["other"])
    response = client.post(f"{RECLASSIFICATIONS}{proposal.pk}/review/", {"note": "OK"}, follow=True)
    assert str(ONLY_MANAGING_REVIEWS) in messages_of(response)
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_planner_takes_no_step(people, proposal):
    client = signed_in(people["planner"])
    for step in ("review", "approve", "reject", "withdraw"):
        response = client.post(f"{RECLASSIFICATIONS}{proposal.pk}/{step}/", {"note": "x"})
        assert response.status_code == 403, step
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_approving_before_the_review_is_refused(people, proposal):
    client = signed_in(people["approver"])
    url = f"{RECLASSIFICATIONS}{proposal.pk}/approve/"
    assert client.get(url).status_code == 302
    response = client.post(url, approve_form(), follow=True)
    assert any("not reviewed" in m for m in messages_of(response))
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert not Document.objects.exists()
    assert stored_files() == []


def test_approve_without_the_decree_and_hand_over_shows_each_error_and_writes_nothing(
    people, proposal
):
    reclassification_review(reclassification=proposal, user=people["reviewer"], note="OK")
    client = signed_in(people["approver"])
    url = f"{RECLASSIFICATIONS}{proposal.pk}/approve/"
    form = client.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'type="date"' in body
    assert 'name="override_reason"' not in body  # the assessment passes

    response = client.post(
        url,
        approve_form(
            decree_number="", decree_date="", decree_file=None, handover_number="",
            handover_date="",
        ),
    )  # fmt: skip
    assert response.status_code == 200
    assert field_errors(response) == {
        "decree_number": [REQUIRED],
        "decree_date": [REQUIRED],
        "decree_file": [REQUIRED],
        "handover_number": [REQUIRED],
        "handover_date": [REQUIRED],
    }
    proposal.refresh_from_db()
    assert proposal.status == "reviewed"
    assert not Document.objects.exists()

    # With the decree but no hand-over record: still nothing, not even the stored file.
    response = client.post(url, approve_form(handover_number="", handover_date=""))
    assert field_errors(response) == {"handover_number": [REQUIRED], "handover_date": [REQUIRED]}
    assert not Document.objects.exists()
    assert stored_files() == []
    proposal.refresh_from_db()
    assert proposal.status == "reviewed"
    assert Asset.objects.get(pk=proposal.asset_id).custodian_agency_id == "DISDIK"


def test_a_pdf_that_is_html_is_refused_on_the_upload_field(people, proposal):
    reclassification_review(reclassification=proposal, user=people["reviewer"], note="OK")
    fake = SimpleUploadedFile(
        "sk.pdf", b"<!doctype html><html><body>SK</body></html>", "application/pdf"
    )
    response = signed_in(people["approver"]).post(
        f"{RECLASSIFICATIONS}{proposal.pk}/approve/", approve_form(decree_file=fake)
    )
    assert response.status_code == 200
    assert field_errors(response) == {"decree_file": [str(FILE_TYPE_REFUSED)]}
    assert not Document.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == "reviewed"


def test_a_failing_assessment_asks_for_the_override_reason(people, make_asset):
    small = make_asset(custodian_agency="DISDIK", use="office", land_area_m2=20.0, status="idle")
    own = reclassification_propose(asset=small, user=people["proposer"], reason="Untuk gerai")
    reclassification_review(reclassification=own, user=people["reviewer"], note="OK")
    client = signed_in(people["approver"])
    url = f"{RECLASSIFICATIONS}{own.pk}/approve/"
    body = client.get(url).content.decode()
    assert 'name="override_reason"' in body
    assert "The asset fails the assessment" in body

    response = client.post(url, approve_form())
    assert list(field_errors(response)) == ["override_reason"]
    assert "land_area" in field_errors(response)["override_reason"][0]
    assert not Document.objects.exists()
    assert stored_files() == []

    response = client.post(url, approve_form(override_reason="Lahan kecil cukup untuk gerai"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "approved"
    assert own.override_reason == "Lahan kecil cukup untuk gerai"


def test_the_whole_trail_moves_custody_with_the_decree_and_history(people, proposal):
    reviewer = signed_in(people["reviewer"])
    base = f"{RECLASSIFICATIONS}{proposal.pk}"
    response = reviewer.post(f"{base}/review/", {"note": ""})
    assert field_errors(response) == {"note": [REQUIRED]}
    response = reviewer.post(f"{base}/review/", {"note": "Sesuai KIB"})
    assert response.status_code == 302
    assert response["Location"] == f"{base}/change/"

    approver = signed_in(people["approver"])
    response = approver.post(f"{base}/approve/", approve_form(), follow=True)
    assert response.redirect_chain[-1][0] == f"{base}/change/"
    assert any("approved" in m for m in messages_of(response))

    proposal.refresh_from_db()
    asset = Asset.objects.get(pk=proposal.asset_id)
    receiver = outlets_agency()
    assert proposal.status == "approved"
    assert (proposal.from_agency_id, proposal.to_agency_id) == ("DISDIK", receiver.code)
    assert asset.custodian_agency_id == receiver.code
    assert (asset.use, asset.status, asset.previous_use) == (
        "economic",
        "designated_economic",
        "office",
    )
    assert proposal.decree_number == "SK 028/123/Kpts/2026"
    assert str(proposal.decree_date) == "2026-03-02"
    assert proposal.handover_number == "BAST 028/45/2026"
    [decree] = Document.objects.filter(reclassification=proposal)
    assert (decree.kind, decree.content_type) == ("decree", "application/pdf")
    assert decree.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert decree.uploaded_by == people["approver"]
    trail = [
        (h.status, h.history_user.username)
        for h in proposal.history.order_by("history_date", "history_id")
    ]
    assert trail == [("proposed", "ani"), ("reviewed", "budi"), ("approved", "citra")]
    history = approver.get(f"{base}/history/").content.decode()
    assert all(f"<td>{name}</td>" in history for name in ("ani", "budi", "citra"))
    # The page offers no step any more; a second approval is refused with a message.
    assert step_links(approver, proposal) == set()
    again = approver.post(f"{base}/approve/", approve_form(), follow=True)
    assert messages_of(again)
    assert Document.objects.count() == 1


def test_the_approver_rejects_and_the_proposer_withdraws(people, asset, proposal):
    approver = signed_in(people["approver"])
    base = f"{RECLASSIFICATIONS}{proposal.pk}"
    response = approver.post(f"{base}/reject/", {"note": "Belum perlu"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("rejected", people["approver"])

    second = reclassification_propose(asset=asset, user=people["proposer"], reason="Lagi")
    other = signed_in(people["other"])
    response = other.post(f"{RECLASSIFICATIONS}{second.pk}/withdraw/", {"note": ""}, follow=True)
    assert messages_of(response)  # only the proposer withdraws
    second.refresh_from_db()
    assert second.status == "proposed"
    proposer = signed_in(people["proposer"])
    response = proposer.post(f"{RECLASSIFICATIONS}{second.pk}/withdraw/", {"note": ""})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "withdrawn"
    trail = [(h.status, h.history_user.username) for h in second.history.order_by("history_id")]
    assert trail == [("proposed", "ani"), ("withdrawn", "ani")]


def test_a_step_without_the_csrf_token_is_refused(people, proposal):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["reviewer"])
    response = client.post(f"{RECLASSIFICATIONS}{proposal.pk}/review/", {"note": "OK"})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_the_stored_assessments_read_in_words_not_json(people, make_asset):
    small = make_asset(custodian_agency="DISDIK", use="office", land_area_m2=20.0, status="idle")
    failing = reclassification_propose(asset=small, user=people["proposer"], reason="Gerai")
    passing = reclassification_propose(
        asset=make_asset(custodian_agency="DISDIK", use="office", status="idle"),
        user=people["proposer"],
        reason="Gerai",
    )
    client = signed_in(people["approver"])

    body = client.get(f"{RECLASSIFICATIONS}{failing.pk}/change/").content.decode()
    detail = next(c["detail"] for c in failing.assessment["checks"] if not c["passed"])
    assert "The asset fails the assessment:" in body
    assert f"<li>{detail}</li>" in body
    assert '"checks"' not in body  # no JSON dump of the snapshot
    assert f"of {small.register_code}" in body  # the change of use named by its asset

    body = client.get(f"{RECLASSIFICATIONS}{passing.pk}/change/").content.decode()
    assert "The asset may be repurposed: every rule passes." in body
