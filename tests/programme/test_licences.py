"""Licences: an NIB's number is checked, an SPP-IRT runs five years, those expiring within 90
days are listed; an outlet's requirement refuses an application without a valid licence,
accepts one with it, and refuses one whose licence expired."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import AuditEvent
from outlets.models import Application
from outlets.models._base import NIB_MESSAGE
from outlets.nik import city_today
from programme.models import Licence, LicenceRequirement
from programme.services import records
from tests.conftest import client_for
from tests.outlets.helpers import make_outlet, make_round, make_vendor

pytestmark = pytest.mark.django_db

LICENCES = "/api/v1/programme/licences/"


@pytest.fixture
def staff(make_user):
    return client_for(make_user("programme_staff"))


def _licence(staff, vendor, kind="spp_irt", number="2063276010123-27", issued=None, **extra):
    body = {
        "vendor": vendor.pk,
        "kind": kind,
        "number": number,
        "issuer": "DPMPTSP Kota Depok",
        "issued_on": (issued or city_today() - timedelta(days=30)).isoformat(),
        **extra,
    }
    return staff.post(LICENCES, body, format="json")


def test_spp_irt_runs_five_years_and_nib_is_13_digits_without_expiry(staff):
    vendor = make_vendor()
    issued = city_today().replace(month=3, day=1) - timedelta(days=400)
    response = _licence(staff, vendor, issued=issued)
    assert response.status_code == 201, response.json()
    assert response.json()["expires_on"] == issued.replace(year=issued.year + 5).isoformat()
    assert response.json()["valid"] is True

    wrong = _licence(staff, vendor, number="X-2", issued=issued, expires_on=issued.isoformat())
    assert wrong.status_code == 400
    due = issued.replace(year=issued.year + 5).isoformat()
    assert wrong.json() == {"expires_on": [str(records.SPP_IRT_EXPIRY).format(day=due)]}

    assert _licence(staff, vendor, "nib", "12345").json() == {"number": [str(NIB_MESSAGE)]}
    nib_expiring = _licence(staff, vendor, "nib", "1234567890123", expires_on="2030-01-01")
    assert nib_expiring.json() == {"expires_on": [str(records.NIB_NO_EXPIRY)]}
    nib = _licence(staff, vendor, "nib", "1234567890123")
    assert nib.status_code == 201
    assert nib.json()["expires_on"] is None
    assert _licence(staff, vendor, "nib", "1234567890123").json() == {
        "number": [str(records.NUMBER_TAKEN)]
    }
    future = _licence(staff, vendor, "halal", "ID321", issued=city_today() + timedelta(days=1))
    assert future.json() == {"issued_on": [str(records.ISSUED_IN_FUTURE)]}
    assert Licence.objects.count() == 2
    # recorded in the audit trail
    assert AuditEvent.objects.filter(object_type="programme.licence", action="create").count() == 2


def test_licences_expiring_within_90_days(staff, make_user):
    vendor = make_vendor()
    today = city_today()
    soon = _licence(
        staff,
        vendor,
        "halal",
        "H-1",
        issued=today - timedelta(days=300),
        expires_on=(today + timedelta(days=90)).isoformat(),
    )
    later = _licence(
        staff,
        vendor,
        "halal",
        "H-2",
        issued=today - timedelta(days=300),
        expires_on=(today + timedelta(days=91)).isoformat(),
    )
    lapsed = _licence(
        staff,
        vendor,
        "halal",
        "H-3",
        issued=today - timedelta(days=300),
        expires_on=(today - timedelta(days=1)).isoformat(),
    )
    first = _licence(
        staff,
        vendor,
        "halal",
        "H-4",
        issued=today - timedelta(days=300),
        expires_on=today.isoformat(),
    )
    assert {r.status_code for r in (soon, later, lapsed, first)} == {201}

    response = staff.get(LICENCES + "expiring/")

    assert response.status_code == 200
    assert [r["number"] for r in response.json()["results"]] == ["H-4", "H-1"]
    assert staff.get(LICENCES + "expiring/?within=91").json()["count"] == 3
    assert staff.get(LICENCES + "expiring/?within=0").status_code == 400
    assert client_for(make_user("planner")).get(LICENCES + "expiring/").status_code == 403


def test_a_required_licence_refuses_without_accepts_with_and_refuses_expired(
    make_asset, make_user, staff
):
    # given: kitchens at the outlet need an SPP-IRT
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager, stalls=(("D-01", "kitchen"), ("K-01", "kiosk")))
    round_ = make_round(manager, [outlet], status="open")
    response = client_for(manager).post(
        "/api/v1/programme/requirements/",
        {"outlet": outlet.pk, "stall_kind": "kitchen", "licence_kind": "spp_irt"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    without, holder, lapsed = make_vendor(), make_vendor(), make_vendor()
    today = city_today()
    assert _licence(staff, holder, issued=today - timedelta(days=100)).status_code == 201
    assert (
        _licence(staff, lapsed, number="OLD-1", issued=today - timedelta(days=6 * 366)).status_code
        == 201
    )
    url = f"/api/v1/rounds/{round_.pk}/applications/"
    body = {
        "choices": [
            {"outlet": outlet.pk, "stall_kind": "kiosk"},
            {"outlet": outlet.pk, "stall_kind": "kitchen"},
        ]
    }

    # when / then: without one
    refused = client_for(without.user).post(url, body, format="json")
    assert refused.status_code == 400
    label = "SPP-IRT (home food production)"
    assert refused.json() == {
        "choices": [str(records.LICENCE_MISSING).format(rank=2, licence=label, kind="Kitchen")]
    }
    # with a valid one
    accepted = client_for(holder.user).post(url, body, format="json")
    assert accepted.status_code == 201, accepted.json()
    # with an expired one
    expired_on = Licence.objects.get(vendor=lapsed).expires_on
    assert expired_on < today
    refused = client_for(lapsed.user).post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "choices": [
            str(records.LICENCE_EXPIRED).format(
                rank=2, licence=label, kind="Kitchen", day=expired_on.isoformat()
            )
        ]
    }
    # a kiosk alone needs nothing
    kiosk = {"choices": [{"outlet": outlet.pk, "stall_kind": "kiosk"}]}
    assert client_for(lapsed.user).post(url, kiosk, format="json").status_code == 201
    assert set(Application.objects.values_list("vendor_id", flat=True)) == {holder.pk, lapsed.pk}
    # the holder cannot switch to a choice whose licence she lacks either
    application = Application.objects.get(vendor=lapsed)
    changed = client_for(lapsed.user).patch(
        f"/api/v1/applications/{application.pk}/", body, format="json"
    )
    assert changed.status_code == 400
    assert list(changed.json()) == ["choices"]


def test_only_the_outlets_own_manager_sets_requirements(make_asset, make_user):
    owner, other = make_user("outlet_manager"), make_user("outlet_manager")
    outlet = make_outlet(make_asset, owner)
    body = {"outlet": outlet.pk, "stall_kind": "kiosk", "licence_kind": "halal"}
    url = "/api/v1/programme/requirements/"
    assert client_for(other).post(url, body, format="json").status_code == 403
    assert (
        client_for(make_user("programme_staff")).post(url, body, format="json").status_code == 403
    )
    created = client_for(owner).post(url, body, format="json")
    assert created.status_code == 201
    again = client_for(owner).post(url, body, format="json")
    assert again.json() == {"licence_kind": [str(records.REQUIREMENT_EXISTS)]}
    detail = f"{url}{created.json()['id']}/"
    assert client_for(other).delete(detail).status_code == 403
    assert client_for(owner).delete(detail).status_code == 204
    assert LicenceRequirement.objects.count() == 0
