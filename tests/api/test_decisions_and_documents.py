"""The decision trail of a change of use and its documents (#17): the custodian agency proposes,
the managing agency reviews, the approver decides on the mayor's decree with its signed PDF and
the hand-over record; custody moves to the agency that runs the outlets. Documents are PDF,
JPEG or PNG by their content, hashed, and downloaded as attachments by roles that may read
their object only."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets_app.models import Reclassification
from assets_app.services import PROPOSER_CANNOT_DECIDE
from assets_app.services.reclassification import (
    DECREE_DOCUMENT_INVALID,
    NOT_REVIEWED,
    ONLY_MANAGING_REVIEWS,
)
from core.roles import ASSET_APPROVER, ASSET_OFFICER, OUTLET_MANAGER, PLANNER, VENDOR
from documents.models import Document
from documents.services import FILE_TOO_LARGE, FILE_TYPE_REFUSED
from tests.conftest import DECREE_FIELDS, MINIMAL_PDF, client_for

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/documents/"


@pytest.fixture
def people(make_user):
    return {
        "custodian": make_user(ASSET_OFFICER, username="ani_disdik", agency="DISDIK"),
        "other_user_agency": make_user(ASSET_OFFICER, username="eka_dinkes", agency="DINKES"),
        "reviewer": make_user(ASSET_OFFICER, username="rudi_bkd", agency="BKD"),
        "approver": make_user(ASSET_APPROVER, username="budi_approver"),
    }


@pytest.fixture
def school(make_asset):
    """An idle building of Dinas Pendidikan with kode barang and year: register number 1."""
    return make_asset(
        name="SD Negeri lama",
        use="office",
        custodian_agency="DISDIK",
        item_code="1.3.3.01.01.01.001",
        acquisition_year=2001,
    )


def upload(client, data: bytes, name: str, **fields):
    return client.post(DOCS, {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


def propose_and_review(people, school):
    custodian = client_for(people["custodian"])
    rec = custodian.post(
        f"/api/v1/assets/{school.pk}/reclassifications/",
        {"reason": "Sekolah digabung; gedung kosong."},
        format="json",
    ).json()
    reviewed = client_for(people["reviewer"]).post(
        f"/api/v1/reclassifications/{rec['id']}/review/",
        {"note": "Sesuai rencana BKD."},
        format="json",
    )
    assert reviewed.status_code == 200, reviewed.json()
    return rec["id"]


def test_the_decision_trail_moves_custody_with_who_and_when(people, school):
    approver = client_for(people["approver"])
    rec = propose_and_review(people, school)
    base = f"/api/v1/reclassifications/{rec}"

    # when: approval without the decree and hand-over record
    response = approver.post(f"{base}/approve/", {"note": "Setuju."}, format="json")
    # then: each missing field is named, nothing changes
    assert response.status_code == 400
    assert sorted(response.json()) == [
        "decree_date",
        "decree_document",
        "decree_number",
        "handover_date",
        "handover_number",
    ]
    assert Reclassification.objects.get().status == "reviewed"

    # when: a document that is not a decree PDF of this reclassification
    photo = upload(approver, _png(), "foto.png", kind="photo", reclassification=rec).json()
    response = approver.post(
        f"{base}/approve/",
        {"note": "Setuju.", **DECREE_FIELDS, "decree_document": photo["id"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "decree_document": [str(DECREE_DOCUMENT_INVALID).format(id=photo["id"])]
    }

    # when: with the signed decree
    decree = upload(approver, MINIMAL_PDF, "sk.pdf", kind="decree", reclassification=rec).json()
    response = approver.post(
        f"{base}/approve/",
        {"note": "Setuju.", **DECREE_FIELDS, "decree_document": decree["id"]},
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["from_agency"], body["to_agency"]) == (
        "approved",
        "DISDIK",
        "DKUM",
    )
    assert (body["decree_number"], body["decree_date"]) == ("SK 028/123/Kpts/2026", "2026-03-02")
    assert (body["handover_number"], body["handover_date"]) == ("BAST 028/45/2026", "2026-03-09")
    assert (body["reviewed_by"], body["review_note"]) == ("rudi_bkd", "Sesuai rencana BKD.")
    assert [(t["status"], t["by"]) for t in body["transitions"]] == [
        ("proposed", "ani_disdik"),
        ("reviewed", "rudi_bkd"),
        ("approved", "budi_approver"),
    ]
    assert all(t["at"].endswith("Z") for t in body["transitions"])
    school.refresh_from_db()
    assert (school.custodian_agency_id, school.status, school.register_number) == (
        "DKUM",
        "designated_economic",
        1,  # the first of its kode barang and year at DKUM
    )
    # The former custodian can no longer edit it; the asset's history says who moved it.
    denied = client_for(people["custodian"]).patch(
        f"/api/v1/assets/{school.pk}/", {"name": "x"}, format="json"
    )
    assert denied.status_code == 403
    assert school.history.first().history_user.username == "budi_approver"


def test_only_the_custodian_or_managing_agency_proposes(people, school):
    response = client_for(people["other_user_agency"]).post(
        f"/api/v1/assets/{school.pk}/reclassifications/", {"reason": "r"}, format="json"
    )
    assert response.status_code == 403
    assert Reclassification.objects.count() == 0


def test_only_the_managing_agency_reviews_and_not_its_proposer(people, school, make_user):
    rec = (
        client_for(people["custodian"])
        .post(f"/api/v1/assets/{school.pk}/reclassifications/", {"reason": "r"}, format="json")
        .json()
    )
    path = f"/api/v1/reclassifications/{rec['id']}/review/"
    response = client_for(people["custodian"]).post(path, {"note": "mine"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": str(ONLY_MANAGING_REVIEWS)}
    # An approver cannot decide before the review.
    early = client_for(people["approver"]).post(
        f"/api/v1/reclassifications/{rec['id']}/approve/",
        {"note": "n", **DECREE_FIELDS, "decree_document": 1},
        format="json",
    )
    assert early.status_code == 409
    assert early.json() == {"detail": str(NOT_REVIEWED)}
    # A managing-agency officer who proposed does not review her own proposal.
    bkd = make_user(ASSET_OFFICER, agency="BKD")
    own = client_for(bkd).post(
        f"/api/v1/assets/{school.pk}/reclassifications/", {"reason": "r"}, format="json"
    )
    assert own.status_code == 409  # one open proposal per asset
    client_for(people["custodian"]).post(
        f"/api/v1/reclassifications/{rec['id']}/withdraw/", {}, format="json"
    )
    mine = (
        client_for(bkd)
        .post(f"/api/v1/assets/{school.pk}/reclassifications/", {"reason": "r"}, format="json")
        .json()
    )
    response = client_for(bkd).post(
        f"/api/v1/reclassifications/{mine['id']}/review/", {"note": "n"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": str(PROPOSER_CANNOT_DECIDE)}
    assert Reclassification.objects.get(pk=mine["id"]).status == "proposed"


# --- documents ---------------------------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "sertifikat.pdf"),
        (b"<script>fetch('/api/v1/')</script>%PDF-1.4\n%%EOF", "sk.pdf"),
        (b"#!/bin/sh\nrm -rf /\n", "foto.png"),
        (b"%PDF-1.4\n<html>no end marker", "sk.pdf"),
        (b"\x89PNG\r\n\x1a\n<html></html>", "foto.png"),
        (b"\xff\xd8\xff<svg onload=alert(1)>", "foto.jpg"),
    ],
)
def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused(client_as, school, content, name):
    response = upload(client_as(ASSET_OFFICER), content, name, kind="other", asset=school.pk)
    assert response.status_code == 400
    assert response.json() == {"file": [str(FILE_TYPE_REFUSED)]}
    assert Document.objects.count() == 0


def test_a_pdf_is_stored_with_its_sha256_and_downloaded_as_an_attachment(
    make_user, school, role_clients
):
    officer = client_for(make_user(ASSET_OFFICER))
    response = upload(
        officer,
        MINIMAL_PDF,
        "../../etc/passwd.pdf",
        kind="land_certificate",
        asset=school.pk,
        title="Sertifikat Hak Pakai 12",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert (body["content_type"], body["size"], body["asset"]) == (
        "application/pdf",
        len(MINIMAL_PDF),
        school.pk,
    )
    document = Document.objects.get()
    # Stored under its hash, never under the uploaded name.
    assert document.file.name == f"documents/{body['sha256'][:2]}/{body['sha256']}.pdf"
    url = f"{DOCS}{body['id']}/download/"
    for role, expected in {
        "anonymous": 401,
        VENDOR: 403,
        PLANNER: 200,
        ASSET_APPROVER: 200,
        OUTLET_MANAGER: 200,
        ASSET_OFFICER: 200,
    }.items():
        got = role_clients[role].get(url)
        assert got.status_code == expected, role
        if expected == 200:
            assert got["Content-Disposition"] == f'attachment; filename="document-{body["id"]}.pdf"'
            assert got["X-Content-Type-Options"] == "nosniff"
            assert got["Content-Type"] == "application/pdf"
            assert b"".join(got.streaming_content) == MINIMAL_PDF


def test_images_are_recognised_by_content_whatever_their_name(client_as, school):
    officer = client_as(ASSET_OFFICER)
    png = upload(officer, _png(), "foto.pdf", kind="photo", asset=school.pk).json()
    jpeg = upload(officer, _jpeg(), "foto", kind="photo", asset=school.pk).json()
    assert (png["content_type"], jpeg["content_type"]) == ("image/png", "image/jpeg")
    listed = officer.get(f"{DOCS}?asset={school.pk}").json()
    assert [d["id"] for d in listed["results"]] == [png["id"], jpeg["id"]]


def test_the_size_limit(client_as, school, settings):
    settings.DOCUMENTS_MAX_BYTES = len(MINIMAL_PDF) - 1
    response = upload(
        client_as(ASSET_OFFICER), MINIMAL_PDF, "sk.pdf", kind="decree", asset=school.pk
    )
    assert response.status_code == 400
    assert response.json() == {"file": [str(FILE_TOO_LARGE).format(limit=len(MINIMAL_PDF) - 1)]}
    assert Document.objects.count() == 0


def test_an_officer_attaches_only_to_her_agencys_assets(people, school):
    response = upload(
        client_for(people["other_user_agency"]),
        MINIMAL_PDF,
        "x.pdf",
        kind="other",
        asset=school.pk,
    )
    assert response.status_code == 403
    assert Document.objects.count() == 0


def test_a_document_names_exactly_one_object(client_as, school):
    officer = client_as(ASSET_OFFICER)
    none = upload(officer, MINIMAL_PDF, "x.pdf", kind="other")
    assert none.status_code == 400
    assert list(none.json()) == ["non_field_errors"]
    missing = upload(officer, MINIMAL_PDF, "x.pdf", kind="other", asset=999999)
    assert missing.status_code == 404
    assert Document.objects.count() == 0


def test_lease_documents_are_for_outlet_managers_and_planners(make_user, make_asset, role_clients):
    from outlets import services as outlet_services
    from outlets.models import Offer
    from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

    # given: a lease, from an allocated round's accepted offer
    manager = make_user(OUTLET_MANAGER)
    vendor = make_vendor()
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"),))
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))
    outlet_services.round_close(round_=round_, user=manager)
    outlet_services.round_allocate(round_=round_, user=manager)
    offer = Offer.objects.get(application__round=round_)
    lease = outlet_services.offer_accept(offer=offer, user=vendor.user).lease
    # when: its manager attaches the contract (an officer may not)
    refused = upload(
        role_clients[ASSET_OFFICER], MINIMAL_PDF, "k.pdf", kind="lease_contract", lease=lease.pk
    )
    assert refused.status_code == 403
    made = upload(
        client_for(manager), MINIMAL_PDF, "kontrak.pdf", kind="lease_contract", lease=lease.pk
    )
    assert made.status_code == 201, made.json()
    url = f"{DOCS}{made.json()['id']}/download/"
    # then: managers and planners download it; the other staff get the same 404 as for nothing
    for role, expected in {
        OUTLET_MANAGER: 200,
        PLANNER: 200,
        ASSET_OFFICER: 404,
        ASSET_APPROVER: 404,
        VENDOR: 403,
    }.items():
        assert role_clients[role].get(url).status_code == expected, role
    assert role_clients[ASSET_OFFICER].get(f"{DOCS}?lease={lease.pk}").json()["count"] == 0
    assert role_clients[PLANNER].get(f"{DOCS}?lease={lease.pk}").json()["count"] == 1
