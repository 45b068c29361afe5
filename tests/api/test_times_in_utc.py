"""The API speaks UTC (docs/ARCHITECTURE.md): its times end in Z, and a time sent without an
offset is read as UTC; an offset given is honoured."""

import re

import pytest

from tests.outlets.helpers import make_outlet

pytestmark = pytest.mark.django_db
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


def test_outlet_times_are_written_in_utc(client_as, make_asset, manager):
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"),))
    client = client_as(user=manager)

    detail = client.get(f"/api/v1/outlets/{outlet.pk}/").json()
    stalls = client.get(f"/api/v1/outlets/{outlet.pk}/stalls/").json()["results"]

    assert UTC_TIME.match(detail["created_at"]), detail["created_at"]
    assert UTC_TIME.match(stalls[0]["created_at"]), stalls[0]["created_at"]


def test_round_times_keep_their_instant_and_naive_times_are_utc(client_as, make_asset, manager):
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"),))
    body = {
        "name": "Putaran UTC",
        "outlets": [outlet.pk],
        "opens_at": "2026-12-01T09:00:00+07:00",  # 02:00 UTC
        "closes_at": "2026-12-15T09:00:00",  # no offset: UTC
    }

    response = client_as(user=manager).post("/api/v1/rounds/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["opens_at"] == "2026-12-01T02:00:00Z"
    assert data["closes_at"] == "2026-12-15T09:00:00Z"
    assert UTC_TIME.match(data["created_at"])
