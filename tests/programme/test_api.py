"""The programme's API: targets with sources, coaching and attendance, a vendor's own record,
programme staff's verification by hand, and the audit trail of it all without personal data."""

from __future__ import annotations

from datetime import date

import pytest

from core.models import AuditEvent
from outlets.models import ClaimVerification
from programme.models import Attendance, CoachingSession, Target
from programme.services import records
from tests.conftest import client_for
from tests.outlets.helpers import make_vendor

pytestmark = pytest.mark.django_db

TARGETS = "/api/v1/programme/targets/"
SESSIONS = "/api/v1/programme/sessions/"


def test_targets_ship_with_their_sources_and_staff_edit_them(client_as, make_user):
    planner = client_as("planner")
    listed = planner.get(TARGETS).json()["results"]
    figures = {(t["programme"], t["year"]): t["target"] for t in listed}
    assert figures == {
        ("all", 2022): 2100,
        ("all", 2023): 2114,
        ("wub", 2023): 1750,
        ("wub", None): 5000,
        ("women", 2023): 350,
        ("women", None): 1000,
    }
    assert all(t["source"] for t in listed)

    staff = client_for(make_user("programme_staff"))
    body = {"programme": "wub", "year": 2024, "target": 1800, "source": "DKUM 2024"}
    created = staff.post(TARGETS, body, format="json")
    assert created.status_code == 201, created.json()
    assert staff.post(TARGETS, body, format="json").json() == {"year": [str(records.TARGET_EXISTS)]}
    overall = {**body, "year": None}
    assert staff.post(TARGETS, overall, format="json").json() == {
        "year": [str(records.TARGET_EXISTS)]
    }
    assert planner.post(TARGETS, body, format="json").status_code == 403
    for bad in ({"target": 0}, {"target": 10**12}, {"year": 1900}, {"programme": "x"}, {"y": 1}):
        response = staff.post(TARGETS, {**body, "year": 2025, **bad}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == list(bad)
    url = f"{TARGETS}{created.json()['id']}/"
    changed = staff.patch(url, {"target": 1900}, format="json")
    assert changed.json()["target"] == 1900
    assert staff.patch(url, {"programme": "women"}, format="json").status_code == 400
    assert Target.objects.count() == 7
    assert AuditEvent.objects.filter(object_type="programme.target").count() == 2


def test_sessions_and_attendance(make_user):
    staff = client_for(make_user("programme_staff"))
    vendor, other = make_vendor(), make_vendor()
    body = {"topic": "packaging", "held_on": "2026-03-02", "place": "Aula", "trainer": "Ibu Sari"}
    created = staff.post(SESSIONS, body, format="json")
    assert created.status_code == 201, created.json()
    url = f"{SESSIONS}{created.json()['id']}/attendance/"

    unknown = staff.post(url, {"vendors": [vendor.pk, 10**9]}, format="json")
    assert unknown.json() == {"vendors": [str(records.VENDORS_UNKNOWN).format(ids=10**9)]}
    assert Attendance.objects.count() == 0
    assert staff.post(url, {"vendors": [vendor.pk]}, format="json").json()["attendees"] == 1
    again = staff.post(url, {"vendors": [vendor.pk, other.pk]}, format="json")
    assert again.json()["attendees"] == 2
    assert Attendance.objects.count() == 2
    assert staff.post(SESSIONS, {**body, "topic": "cooking"}, format="json").status_code == 400
    assert client_for(make_user("planner")).post(SESSIONS, body, format="json").status_code == 403
    assert client_for(vendor.user).get(SESSIONS).status_code == 403
    assert CoachingSession.objects.count() == 1


def test_a_vendor_reads_her_own_record(make_user):
    staff_user = make_user("programme_staff")
    vendor, other = make_vendor(), make_vendor()
    session = records.coaching_session_create(
        user=staff_user,
        data={"topic": "marketing", "held_on": date(2026, 2, 1), "place": "A", "trainer": "T"},
    )
    records.attendance_record(session=session, user=staff_user, vendor_ids=[vendor.pk])
    records.licence_create(
        user=staff_user,
        data={
            "vendor": vendor,
            "kind": "nib",
            "number": "1234567890123",
            "issuer": "OSS",
            "issued_on": date(2025, 1, 1),
        },
    )

    mine = client_for(vendor.user).get("/api/v1/programme/me/").json()
    theirs = client_for(other.user).get("/api/v1/programme/me/").json()

    assert [s["topic"] for s in mine["coaching"]] == ["marketing"]
    assert mine["licences"] == [
        {
            "kind": "nib",
            "number": "1234567890123",
            "issuer": "OSS",
            "issued_on": "2025-01-01",
            "expires_on": None,
            "valid": True,
        }
    ]
    assert theirs == {"memberships": [], "coaching": [], "licences": []}
    assert client_for(staff_user).get("/api/v1/programme/me/").status_code == 403


def test_programme_staff_verify_by_hand_with_a_reason(make_user):
    vendor = make_vendor(wub=True)
    url = f"/api/v1/programme/vendors/{vendor.pk}/verify/"
    staff = client_for(make_user("programme_staff"))
    body = {"claims": ["wub_participant"], "reason": "Daftar hadir pelatihan WUB 2023"}

    assert client_for(make_user("planner")).post(url, body, format="json").status_code == 403
    no_reason = staff.post(url, {**body, "reason": " "}, format="json")
    assert list(no_reason.json()) == ["reason"]
    assert staff.post(url, {**body, "claims": ["domicile"]}, format="json").status_code == 400
    assert ClaimVerification.objects.count() == 0
    response = staff.post(url, body, format="json")

    assert response.status_code == 200
    assert response.json()["claims"]["wub_participant"]["evidence"] == "manual"
    assert ClaimVerification.objects.get().claim == "wub_participant"
    assert (
        staff.post("/api/v1/programme/vendors/999999/verify/", body, format="json").status_code
        == 404
    )
    # the reason (which may quote documents) stays out of the audit trail
    event = AuditEvent.objects.get(object_type="outlets.claimverification")
    assert "Daftar hadir" not in str(event.changes)
