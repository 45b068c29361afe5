"""The synthetic demo register (deterministic, idempotent, inside Depok) and the asset admin."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from assets_app.demo import CODE_PREFIX, NOTE, demo_register
from assets_app.models import Asset
from geodata.boundaries import kecamatan, kelurahan


def test_demo_register_is_deterministic_and_plausible():
    records, geometries = demo_register()
    again, _ = demo_register()
    assert records == again
    assert len(records) == 604
    kinds = Counter(r["facility_type"] or r["use"] for r in records)
    assert kinds == {
        "sd": 190,
        "paud": 100,
        "posyandu": 85,
        "office": 74,  # one per kelurahan and one per kecamatan
        "smp": 45,
        "pustu": 30,
        "vacant": 30,
        "sma": 25,
        "puskesmas": len(kecamatan()),
        "sports": 8,
        "market": 6,
    }
    assert all(r["register_code"].startswith(CODE_PREFIX) for r in records)
    assert all(r["notes"] == NOTE and "(synthetic)" in r["name"] for r in records)
    assert len({r["register_code"] for r in records}) == len(records)
    assert {r["condition"] for r in records} == {"good", "minor_damage", "major_damage"}
    assert {r["status"] for r in records} == {"in_service", "underused", "idle"}


@pytest.mark.django_db
def test_seed_demo_loads_inside_every_kelurahan_and_is_idempotent(settings):
    settings.DEBUG = True  # demo data is refused in production
    call_command("seed_demo", stdout=io.StringIO())
    assert Asset.objects.count() == 604
    assert Asset.objects.filter(kelurahan__isnull=True).count() == 0
    schools = set(Asset.objects.filter(facility_type="sd").values_list("kelurahan_id", flat=True))
    assert schools == {k.code for k in kelurahan()}
    assert (
        Asset.objects.filter(facility_type="puskesmas").values("kecamatan").distinct().count() == 11
    )
    history = Asset.history.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert Asset.objects.count() == 604
    assert Asset.history.count() == history
    assert "0 created, 0 updated, 604 unchanged" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Asset.objects.count() == 0


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "Pass-word-123")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_admin_lists_filters_and_searches(admin_client, make_asset):
    make_asset(register_code="ADM-1", name="SDN Kukusan", use="education", facility_type="sd")
    make_asset(register_code="ADM-2", name="Kantor", lon=106.82521, lat=-6.40132)
    url = "/admin/assets_app/asset/"
    assert admin_client.get(url).status_code == 200
    body = admin_client.get(url, {"kecamatan": "32.76.01"}).content.decode()
    assert "ADM-2" in body
    assert "ADM-1" not in body
    body = admin_client.get(url, {"q": "kukusan", "use__exact": "education"}).content.decode()
    assert "ADM-1" in body
    assert "ADM-2" not in body
    asset = Asset.objects.get(register_code="ADM-1")
    assert admin_client.get(f"{url}{asset.pk}/history/").status_code == 200


@pytest.mark.django_db
def test_admin_saves_through_the_services(admin_client, make_asset):
    asset = make_asset(register_code="ADM-1")
    url = f"/admin/assets_app/asset/{asset.pk}/change/"
    form = {
        "register_code": "ADM-1",
        "name": "Moved",
        "category": "building",
        "use": "office",
        "facility_type": "",
        "geometry": '{"type": "Point", "coordinates": [106.82521, -6.40132]}',
        "condition": "good",
        "status": "in_service",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.name, asset.kelurahan_id) == ("Moved", "32.76.01.1006")
    assert asset.history.first().history_user.username == "root"
    bad = admin_client.post(
        url, {**form, "geometry": '{"type": "Point", "coordinates": [106.8, -6.2]}'}
    )
    assert bad.status_code == 200
    assert "outside Kota Depok" in bad.content.decode()
    asset.refresh_from_db()
    assert asset.kelurahan_id == "32.76.01.1006"
