"""Synthetic demo reference facilities and the admin pages."""

import pytest

from facilities.demo import MIX, SOURCE, demo_reference_facilities
from facilities.models import ReferenceFacility

pytestmark = pytest.mark.django_db


def test_demo_facilities_are_synthetic_and_load_once():
    first = demo_reference_facilities()
    total = sum(count for _category, _owner, count, _kind in MIX)
    assert total == 300
    assert first == {"created": 300, "updated": 0, "unchanged": 0}
    assert ReferenceFacility.objects.filter(synthetic=True, source=SOURCE).count() == 300
    assert ReferenceFacility.objects.exclude(name__endswith="(data sintetis)").count() == 0
    assert ReferenceFacility.objects.filter(kecamatan__isnull=True).count() == 0
    assert demo_reference_facilities() == {"created": 0, "updated": 0, "unchanged": 300}


def test_admin_lists_and_shows_a_facility(admin_client):
    demo_reference_facilities()
    item = ReferenceFacility.objects.order_by("pk").first()
    assert admin_client.get("/admin/facilities/referencefacility/").status_code == 200
    page = admin_client.get(f"/admin/facilities/referencefacility/{item.pk}/change/")
    assert page.status_code == 200
    assert item.name in page.content.decode()
    history = admin_client.get(f"/admin/facilities/referencefacility/{item.pk}/history/")
    assert history.status_code == 200
