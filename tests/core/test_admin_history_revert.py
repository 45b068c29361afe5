"""No revert from the admin's history pages: every change goes through the services, which
check the rules (four eyes, read-only statuses, agency scope, re-assessment). django-simple-
history's revert form saved the old row as it was, read-only fields included, so a stall that a
lease holds could be set vacant again and a round's status rolled back. The history stays
readable, each version viewable; a POST to a version is refused and writes nothing."""

from __future__ import annotations

import pytest

from core.roles import ASSET_OFFICER, OUTLET_MANAGER
from outlets.models import Stall
from tests.outlets.helpers import make_outlet

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """The version form's own values, as a browser would post them unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def test_a_stall_cannot_be_reverted_to_vacant_past_its_lease(admin_client, make_user, make_asset):
    manager = make_user(OUTLET_MANAGER)
    stall = make_outlet(make_asset, manager).stalls.get()
    first = stall.history.earliest()
    Stall.objects.filter(pk=stall.pk).update(status="leased")
    stall.refresh_from_db()
    stall.save()  # a history row for the leased state
    url = f"/admin/outlets/stall/{stall.pk}/history/{first.history_id}/"

    page = admin_client.get(url)
    assert page.status_code == 200  # the old version is still there to read
    assert b"Revert" not in page.content
    assert b'name="_save"' not in page.content
    history = admin_client.get(f"/admin/outlets/stall/{stall.pk}/history/")
    assert b"revert" not in history.content.lower()

    before = stall.history.count()
    response = admin_client.post(url, _form_data(page))
    assert response.status_code == 403
    stall.refresh_from_db()
    assert stall.status == "leased"
    assert stall.history.count() == before


def test_an_officer_cannot_post_an_old_version_of_an_asset(client, make_user, make_asset):
    officer = make_user(ASSET_OFFICER, username="siti", password="Riwayat-2026")
    asset = make_asset(name="SD Negeri Lama")
    first = asset.history.earliest()
    asset.name = "SD Negeri Baru"
    asset.save()
    client.login(username="siti", password="Riwayat-2026")
    url = f"/admin/assets_app/asset/{asset.pk}/history/{first.history_id}/"
    page = client.get(url)
    assert page.status_code == 200
    data = _form_data(page)
    assert data["name"] == "SD Negeri Lama"

    response = client.post(url, data)
    assert response.status_code == 403
    asset.refresh_from_db()
    assert asset.name == "SD Negeri Baru"
    # editing stays where it was: the change page, through the services
    assert client.get(f"/admin/assets_app/asset/{asset.pk}/change/").status_code == 200
    assert officer.is_staff
