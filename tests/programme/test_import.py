"""Cohort lists: 2,000 rows of which half match registered vendors; exactly those become verified
members (the list as evidence), the same list again changes nothing, a bad row refuses the file
with its row number, a person on a list is matched when she registers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from outlets import nik
from outlets.models import ClaimVerification, Vendor
from programme.models import CohortList, CohortMember
from programme.selectors import claim_evidence
from programme.services import cohorts
from tests.outlets.helpers import make_vendor
from tests.programme.helpers import (
    SAWANGAN,
    bulk_vendors,
    cohort_csv,
    cohort_niks,
    cohort_xlsx,
    row,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/programme/cohorts/import/"


def _upload(client, data: bytes, name: str = "wub-2023.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def _counts() -> tuple[int, int, int, int]:
    return (
        CohortList.objects.count(),
        CohortMember.objects.count(),
        ClaimVerification.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def staff(client_as):
    return client_as("programme_staff")


def test_import_of_2000_rows_verifies_exactly_the_registered_half(staff):
    # given: 600 WUB and 400 women on the list who registered (300 of the WUB ones ticked the
    # box themselves), 1,000 listed people who did not register, 50 vendors who claim WUB but
    # are on no list
    wub_niks = cohort_niks(1, 600)
    women_niks = cohort_niks(700, 400, female=True)
    unregistered = cohort_niks(1200, 1000)
    claimed = bulk_vendors(wub_niks[:300], wub=True)
    unclaimed = bulk_vendors(wub_niks[300:])
    women = bulk_vendors(women_niks)
    outsiders = bulk_vendors(cohort_niks(2300, 50), wub=True)
    rows = (
        [row(n) for n in wub_niks]
        + [row(n, "women", 2024, SAWANGAN) for n in women_niks]
        + [row(n) for n in unregistered]
    )
    data = cohort_csv(rows)

    # when
    response = _upload(staff, data)

    # then
    assert response.status_code == 201, response.json()
    report = response.json()
    assert {k: report[k] for k in ("rows", "created", "unchanged", "matched", "verified")} == {
        "rows": 2000,
        "created": 2000,
        "unchanged": 0,
        "matched": 1000,
        "verified": 1000,
    }
    assert report["errors"] == []
    live = set(ClaimVerification.objects.filter(revoked_at=None).values_list("vendor_id", "claim"))
    expected = {(v.pk, "wub_participant") for v in claimed + unclaimed} | {
        (v.pk, "women_programme") for v in women
    }
    assert live == expected
    assert not live & {(v.pk, "wub_participant") for v in outsiders}
    # a listed vendor who had not ticked the box is a member now; the list is the evidence
    assert (
        Vendor.objects.filter(pk__in=[v.pk for v in unclaimed], wub_participant=True).count() == 300
    )
    assert Vendor.objects.filter(pk__in=[v.pk for v in women], women_programme=True).count() == 400
    cohort_list = CohortList.objects.get()
    assert cohort_list.imported_by.groups.filter(name="programme_staff").exists()
    assert (cohort_list.rows, cohort_list.file_format) == (2000, "csv")
    evidence = claim_evidence([unclaimed[0].pk])[unclaimed[0].pk]["wub_participant"]
    assert evidence["evidence"] == "cohort_list"
    assert (evidence["cohort_list"], evidence["programme"], evidence["year"]) == (
        cohort_list.pk,
        "wub",
        2023,
    )
    assert CohortMember.objects.filter(vendor=None).count() == 1000
    # the NIK is kept only hashed and masked
    member = CohortMember.objects.get(nik_hash=nik.nik_hash(unregistered[0]))
    assert member.nik_masked == nik.nik_mask(unregistered[0])
    assert not CohortMember.objects.filter(nik_masked=unregistered[0]).exists()
    # one audit event for the import, with figures and no personal data
    event = AuditEvent.objects.get(object_type="programme.cohortlist")
    assert event.changes == {
        "created": [None, 2000],
        "unchanged": [None, 0],
        "matched": [None, 1000],
        "verified": [None, 1000],
    }
    assert unregistered[0] not in str(event.changes) + event.object_repr

    # when: the same file again, and the same people as a spreadsheet
    before = _counts()
    again = _upload(staff, data)
    as_xlsx = _upload(staff, cohort_xlsx(rows), name="wub-2023.xlsx")

    # then: nothing changed (the spreadsheet is a new file, recorded, with no new member)
    assert again.status_code == 200
    assert again.json()["already_imported"] is True
    assert again.json()["cohort_list"] == cohort_list.pk
    assert as_xlsx.status_code == 201, as_xlsx.json()
    assert (as_xlsx.json()["created"], as_xlsx.json()["unchanged"]) == (0, 2000)
    assert as_xlsx.json()["verified"] == 0
    after = _counts()
    assert after[1:3] == before[1:3]
    assert after[0] == before[0] + 1


def test_a_bad_row_refuses_the_whole_file_with_its_row_number(staff):
    registered = cohort_niks(5000, 10)
    bulk_vendors(registered)
    rows = [row(n) for n in registered] + [row(n) for n in cohort_niks(5100, 2000)]
    rows[1499][0] = "3276061234"  # too short
    rows[1799][2] = "bogus"
    rows[1899][3] = 2031
    before = _counts()

    response = _upload(staff, cohort_csv(rows))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1500, "field": "nik", "message": str(nik.NIK_FORMAT)},
        {"row": 1800, "field": "programme", "message": str(cohorts.PROGRAMME_UNKNOWN)},
        {
            "row": 1900,
            "field": "year",
            "message": str(cohorts.YEAR_RANGE).format(first=cohorts.FIRST_COHORT_YEAR),
        },
    ]
    assert response.json()["created"] == 0
    assert _counts() == before
    assert "3276061234" not in response.content.decode()


@pytest.mark.parametrize(
    ("cells", "field", "message"),
    [
        ({2: "women"}, "programme", cohorts.WOMEN_NIK_MALE),
        ({4: "Atlantis"}, "kecamatan", cohorts.KECAMATAN_UNKNOWN),
        ({1: ""}, "name", cohorts.VALUE_REQUIRED),
        ({5: "x" * 41}, "batch", cohorts.BATCH_TOO_LONG),
    ],
)
def test_row_checks(staff, cells, field, message):
    cells_row = row(cohort_niks(7000, 1)[0])
    for index, value in cells.items():
        cells_row[index] = value
    response = _upload(staff, cohort_csv([row(cohort_niks(7100, 1)[0]), cells_row]))
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 2, "field": field, "message": str(message)}]
    assert CohortList.objects.count() == 0


def test_a_person_twice_in_a_cohort_is_a_row_error_naming_the_first(staff):
    value = cohort_niks(7200, 1)[0]
    response = _upload(staff, cohort_csv([row(value), row(value)]))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "field": "nik", "message": str(cohorts.DUPLICATE_ROW).format(row=1)}
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("list.xlsx", b"nik,name\n1,2\n"),  # CSV text named .xlsx
        ("list.csv", b"PK\x03\x04\x00\x00binary\x00"),  # binary named .csv
        ("list.xlsx", b"PK\x03\x04not really a zip"),
        ("list.txt", b"nik\n"),
    ],
)
def test_a_file_is_opened_only_as_what_it_claims(staff, name, data):
    response = _upload(staff, data, name=name)
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert CohortList.objects.count() == 0


def test_unknown_and_missing_columns(staff):
    data = b"nik,name,programme,year,colour\n"
    response = _upload(staff, data)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": None, "field": "colour", "message": str(cohorts.UNKNOWN_COLUMN)},
        {"row": None, "field": "kecamatan", "message": str(cohorts.MISSING_COLUMN)},
    ]


def test_a_listed_person_is_matched_when_she_registers(staff):
    value = cohort_niks(8000, 1, female=True)[0]
    assert _upload(staff, cohort_csv([row(value, "women", 2024)])).status_code == 201
    member = CohortMember.objects.get()
    assert member.vendor is None

    vendor = make_vendor(nik=value, female=True)

    member.refresh_from_db()
    assert member.vendor_id == vendor.pk
    vendor.refresh_from_db()
    assert vendor.women_programme is True
    verification = ClaimVerification.objects.get(vendor=vendor)
    assert (verification.claim, verification.revoked_at) == ("women_programme", None)
    assert member.verification_id == verification.pk
    assert verification.verified_by_id == member.cohort_list.imported_by_id
    assert claim_evidence([vendor.pk])[vendor.pk]["women_programme"]["evidence"] == "cohort_list"


def test_only_programme_staff_import(client_as):
    data = cohort_csv([row(cohort_niks(9000, 1)[0])])
    for role in ("planner", "outlet_manager", "vendor", "asset_officer"):
        assert _upload(client_as(role), data).status_code == 403
    assert CohortList.objects.count() == 0
