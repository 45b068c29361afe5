"""Documents in the admin: an asset officer attaches a land certificate to her agency's asset on
the "Attach a document" page, through the same service as the API (content check, SHA-256, the
agency's scope); another agency's asset, a page of HTML named .pdf, an unknown register code
and the roles that may not attach are refused with nothing written; each row downloads through
the API, as an attachment, for those who may read it."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.roles import ASSET_APPROVER, ASSET_OFFICER, PLANNER
from documents.models import Document
from tests.conftest import MINIMAL_PDF

pytestmark = pytest.mark.django_db

ATTACH = "/admin/documents/document/attach/"
LIST = "/admin/documents/document/"
PASSWORD = "Lampiran-2026"


def signed_in(make_user, role, *, agency="BKD", username=None) -> Client:
    user = make_user(role, username=username, password=PASSWORD, agency=agency)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post(client, code, data=MINIMAL_PDF, name="sertifikat.pdf", kind="land_certificate"):
    upload = SimpleUploadedFile(name, data)
    return client.post(
        ATTACH, {"register_code": code, "kind": kind, "title": "SHM 12", "file": upload}
    )


def test_an_officer_attaches_to_her_agencys_asset(make_user, make_asset):
    school = make_asset(custodian_agency="DISDIK", register_code="SDN-BEJI-01")
    client = signed_in(make_user, ASSET_OFFICER, agency="DISDIK", username="ani")

    page = client.get(f"{ATTACH}?asset={school.pk}")
    assert page.status_code == 200
    assert b'value="SDN-BEJI-01"' in page.content  # from the asset's link
    assert b'data-testid="attach-document"' in client.get(LIST).content

    response = post(client, "SDN-BEJI-01")
    document = Document.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/documents/document/{document.pk}/change/"
    assert (document.asset_id, document.kind, document.title) == (
        school.pk,
        "land_certificate",
        "SHM 12",
    )
    assert document.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert document.uploaded_by.username == "ani"

    listing = client.get(LIST).content.decode()
    assert f'href="/api/v1/documents/{document.pk}/download/"' in listing
    download = client.get(f"/api/v1/documents/{document.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == MINIMAL_PDF


def test_another_agencys_asset_html_as_pdf_and_unknown_codes_are_refused(make_user, make_asset):
    make_asset(custodian_agency="DINKES", register_code="PUSTU-01")
    make_asset(custodian_agency="DISDIK", register_code="SDN-BEJI-01")
    client = signed_in(make_user, ASSET_OFFICER, agency="DISDIK")

    other = post(client, "PUSTU-01")
    assert other.status_code == 200
    assert "register_code" in other.context["form"].errors

    html = post(client, "SDN-BEJI-01", data=b"<html><script>alert(1)</script></html>")
    assert html.status_code == 200
    assert "Only PDF, JPEG and PNG" in html.context["form"].errors["file"][0]

    unknown = post(client, "NO-SUCH-CODE")
    assert unknown.context["form"].errors["register_code"] == [
        "No asset has the register code NO-SUCH-CODE."
    ]
    assert Document.objects.count() == 0


def test_the_managing_agency_attaches_to_any_asset(make_user, make_asset):
    make_asset(custodian_agency="DINKES", register_code="PUSTU-01")
    client = signed_in(make_user, ASSET_OFFICER, agency="BKD")
    assert post(client, "PUSTU-01").status_code == 302
    assert Document.objects.get().asset.register_code == "PUSTU-01"


@pytest.mark.parametrize("role", [ASSET_APPROVER, PLANNER])
def test_roles_that_do_not_attach_get_no_page(make_user, make_asset, role):
    make_asset(custodian_agency="DISDIK", register_code="SDN-BEJI-01")
    client = signed_in(make_user, role)
    assert client.get(ATTACH).status_code == 403
    assert post(client, "SDN-BEJI-01").status_code == 403
    assert Document.objects.count() == 0
    listing = client.get(LIST)
    assert listing.status_code == (200 if role == ASSET_APPROVER else 403)  # planners: no list
    assert b'data-testid="attach-document"' not in listing.content


def test_the_attach_page_is_indonesian_by_default(make_user):
    user = make_user(ASSET_OFFICER, password=PASSWORD, agency="DISDIK")
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    body = client.get(ATTACH).content.decode()
    assert "Lampirkan dokumen" in body
    assert "dikenali dari isinya" in body


def test_the_assets_page_lists_its_documents_and_links_to_attach(make_user, make_asset):
    school = make_asset(custodian_agency="DISDIK", register_code="SDN-BEJI-01")
    other = make_asset(custodian_agency="DINKES", register_code="PUSTU-01")
    officer = signed_in(make_user, ASSET_OFFICER, agency="DISDIK")
    page = officer.get(f"/admin/assets_app/asset/{school.pk}/change/").content.decode()
    assert f'href="{ATTACH}?asset={school.pk}"' in page
    assert "No document is attached yet." in page

    post(officer, "SDN-BEJI-01")
    document = Document.objects.get()
    page = officer.get(f"/admin/assets_app/asset/{school.pk}/change/").content.decode()
    assert f'href="/api/v1/documents/{document.pk}/download/"' in page
    assert "SHM 12" in page
    # another agency's asset: readable, with no link to attach
    page = officer.get(f"/admin/assets_app/asset/{other.pk}/change/").content.decode()
    assert f"{ATTACH}?asset=" not in page
    assert "No document is attached yet." in page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "decree"}, "kind"),  # a decree belongs to its decision, not an asset
        ({"register_code": "X" * 5000}, "register_code"),
        ({"kind": "<script>"}, "kind"),
    ],
)
def test_bad_attach_inputs_are_refused_on_their_field(make_user, make_asset, fields, error):
    make_asset(custodian_agency="DISDIK", register_code="SDN-BEJI-01")
    client = signed_in(make_user, ASSET_OFFICER, agency="DISDIK")
    data = {"register_code": "SDN-BEJI-01", "kind": "land_certificate", "title": "x", **fields}
    response = client.post(ATTACH, {**data, "file": SimpleUploadedFile("a.pdf", MINIMAL_PDF)})
    assert response.status_code == 200
    assert error in response.context["form"].errors
    assert Document.objects.count() == 0
