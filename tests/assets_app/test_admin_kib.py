"""The admin's "KIB and reports" page: an officer exports a KIB workbook and asks for a report
(the form checked here, then the API's own file), and imports a KIB A workbook (a dry run
writes nothing; one bad row refuses the whole file and is listed by row and field; a clean file
is written); roles that may not import get no import form and a 403 on posting; a vendor gets
no page at all."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assets_app.models import Asset
from core.roles import ASSET_OFFICER, PLANNER, VENDOR
from tests.assets_app.test_kib import land_row, workbook

pytestmark = pytest.mark.django_db

PAGE = "/admin/kib/"
PASSWORD = "Buku-Kerja-2026"
DAY = "2026-06-30"


def signed_in(make_user, role, agency="BKD", language="en") -> Client:
    user = make_user(role, password=PASSWORD, agency=agency)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(path: str) -> SimpleUploadedFile:
    with open(path, "rb") as fh:
        return SimpleUploadedFile("kib_a.xlsx", fh.read())


def import_a(client, path: str, **fields):
    data = {"action": "import", "import-kind": "A", "import-file": upload(path)}
    return client.post(PAGE, {**data, **fields}, follow=True)


def test_export_and_report_forms_lead_to_the_apis_files(make_user, make_asset):
    make_asset(custodian_agency="DISDIK", category="land", item_code="1.3.1.01.01.04.001")
    client = signed_in(make_user, ASSET_OFFICER, language="id")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Ekspor buku kerja KIB" in page.content.decode()
    assert 'href="/admin/kib/"' in client.get("/admin/assets_app/asset/").content.decode()
    assert 'data-testid="admin-kib-link"' in client.get("/admin/").content.decode()

    export = client.get(PAGE, {"action": "export", "export-kind": "A", "export-agency": "DISDIK"})
    assert export.status_code == 302
    assert export.url == "/api/v1/kib/A/?agency=DISDIK"
    workbook_response = client.get(export.url)
    assert workbook_response.status_code == 200
    assert workbook_response.content[:2] == b"PK"

    report = {"action": "report", "report-name": "changes_of_use", "report-output": "pdf"}
    missing = client.get(PAGE, report)
    assert missing.status_code == 200
    errors = missing.context["report_form"].errors
    assert set(errors) == {"start", "end"}
    backwards = client.get(
        PAGE, {**report, "report-start": "2026-12-01", "report-end": "2026-11-01"}
    )
    assert backwards.context["report_form"].errors == {"end": ["Periode berakhir sebelum dimulai."]}

    done = client.get(PAGE, {**report, "report-start": "2026-01-01", "report-end": "2026-12-31"})
    assert done.status_code == 302
    assert done.url == "/api/v1/reports/changes_of_use/?output=pdf&from=2026-01-01&to=2026-12-31"
    pdf = client.get(done.url)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_an_officer_imports_a_kib_a_workbook_all_or_nothing(make_user, tmp_path):
    client = signed_in(make_user, ASSET_OFFICER)
    rows = [land_row(i) for i in range(1, 41)]
    good = workbook("A", rows, tmp_path)

    checked = client.post(
        PAGE,
        {
            "action": "import",
            "import-kind": "A",
            "import-dry_run": "on",
            "import-file": upload(good),
        },
    )
    assert checked.status_code == 200
    assert "Checked: 40 rows, nothing written." in checked.content.decode()
    assert Asset.objects.count() == 0

    rows[16]["Kode Barang"] = "1.3.3.01.01.01.001"  # a building code on land, data row 17
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = workbook("A", rows, bad_dir)
    refused = client.post(
        PAGE, {"action": "import", "import-kind": "A", "import-file": upload(bad)}
    )
    assert refused.status_code == 200
    assert refused.context["import_report"]["errors"][0]["row"] == 17
    body = refused.content.decode()
    assert 'data-testid="kib-import-errors"' in body
    assert "<td>17</td><td>item_code</td>" in body
    assert Asset.objects.count() == 0

    written = import_a(client, good)
    assert "Imported: 40 created, 0 updated, 0 unchanged." in written.content.decode()
    assert Asset.objects.count() == 40
    # assessed in the same run
    assert not Asset.objects.filter(repurposable__isnull=True).exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_file_field(make_user):
    client = signed_in(make_user, ASSET_OFFICER)
    fake = SimpleUploadedFile("kib_a.xlsx", b"<html><body>not a workbook</body></html>")
    response = client.post(PAGE, {"action": "import", "import-kind": "A", "import-file": fake})
    assert response.status_code == 200
    assert response.context["import_form"].errors["file"]
    assert Asset.objects.count() == 0


def test_a_planner_reads_reports_but_imports_nothing(make_user, tmp_path):
    client = signed_in(make_user, PLANNER)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert page.context["import_form"] is None
    assert b'data-testid="kib-import-form"' not in page.content
    good = workbook("A", [land_row(1)], tmp_path)
    posted = import_a(client, good)
    assert posted.status_code == 403
    assert Asset.objects.count() == 0
    report = client.get(
        PAGE,
        {
            "action": "report",
            "report-name": "utilised",
            "report-output": "xlsx",
            "report-on": DAY,
        },
    )
    assert report.url == f"/api/v1/reports/utilised/?output=xlsx&on={DAY}"


def test_a_vendor_gets_no_page(make_user):
    client = signed_in(make_user, VENDOR)
    response = client.get(PAGE)
    # not staff: the admin sends her to its sign-in page
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"action": "report", "report-name": "../etc/passwd", "report-output": "pdf"}, "name"),
        ({"action": "report", "report-name": "kib_a", "report-output": "html"}, "output"),
        ({"action": "report", "report-name": "utilised", "report-output": "pdf",
          "report-on": "99999-99-99"}, "on"),
        ({"action": "report", "report-name": "kib_a", "report-output": "pdf",
          "report-agency": "<script>" * 200}, "agency"),
        ({"action": "export", "export-kind": "Z"}, "kind"),
    ],
)  # fmt: skip
def test_bad_report_and_export_queries_are_form_errors(make_user, query, field):
    client = signed_in(make_user, ASSET_OFFICER)
    response = client.get(PAGE, query)
    assert response.status_code == 200  # the page again, with the error beside its field
    form = response.context["report_form" if query["action"] == "report" else "export_form"]
    assert field in form.errors
