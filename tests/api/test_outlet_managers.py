"""An outlet manager changes only the outlets she manages: the outlet, its stalls, the rounds over
it and the leases of its stalls. Every manager still reads them all."""

import importlib

import pytest
from django.apps import apps

from outlets import services
from outlets.models import AllocationRound, Lease, Outlet, Stall
from tests.conftest import client_for
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor

pytestmark = pytest.mark.django_db

STALL = {"code": "B-09", "kind": "booth", "area_m2": 4, "monthly_fee": "150000.00"}


@pytest.fixture
def world(make_user, make_asset):
    """Manager A's outlet, with a draft, an open and a closed round over it and a lease."""
    a, b = make_user("outlet_manager"), make_user("outlet_manager")
    outlet = make_outlet(make_asset, a, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    leased = make_round(a, [outlet], status="open")
    vendor = make_vendor()
    apply(vendor, leased, (outlet, "kiosk"))
    services.round_close(round_=leased, user=a)
    services.round_allocate(round_=leased, user=a)
    offer = vendor.applications.get().offer
    lease = services.offer_accept(offer=offer, user=vendor.user).lease
    rounds = {
        "draft": make_round(a, [outlet]),
        "open": make_round(a, [outlet], status="open"),
        "closed": make_round(a, [outlet], status="closed"),
    }
    return {"a": a, "b": b, "outlet": outlet, "rounds": rounds, "lease": lease}


def snapshot() -> dict:
    return {
        "outlets": list(Outlet.objects.values_list()),
        "outlet_history": Outlet.history.count(),
        "stalls": list(Stall.objects.values_list()),
        "rounds": list(AllocationRound.objects.values_list()),
        "leases": list(Lease.objects.values_list()),
    }


def writes(world) -> list[tuple[str, str, object]]:
    outlet, rounds, lease = world["outlet"], world["rounds"], world["lease"]
    return [
        ("patch", f"/api/v1/outlets/{outlet.pk}/", {"name": "Gerai Baru"}),
        ("patch", f"/api/v1/outlets/{outlet.pk}/", {"nonsense": True}),  # 403 before 400
        ("post", f"/api/v1/outlets/{outlet.pk}/stalls/", STALL),
        (
            "post",
            f"/api/v1/outlets/{outlet.pk}/stalls/",
            [{**STALL, "code": "B-10"}, {**STALL, "code": "B-11"}],
        ),
        ("post", f"/api/v1/outlets/{outlet.pk}/stalls/", {}),
        (
            "post",
            "/api/v1/rounds/",
            {
                "name": "Putaran B",
                "outlets": [outlet.pk],
                "opens_at": "2026-01-01T00:00:00Z",
                "closes_at": "2099-01-01T00:00:00Z",
            },
        ),
        ("post", f"/api/v1/rounds/{rounds['draft'].pk}/open/", None),
        ("post", f"/api/v1/rounds/{rounds['open'].pk}/close/", None),
        ("post", f"/api/v1/rounds/{rounds['closed'].pk}/allocate/", None),
        ("post", f"/api/v1/leases/{lease.pk}/terminate/", {"reason": "Tidak membayar"}),
        ("post", f"/api/v1/leases/{lease.pk}/terminate/", {}),
    ]


def test_another_manager_is_refused_every_write_and_nothing_is_written(world):
    client = client_for(world["b"])
    before = snapshot()

    answered = [
        (method, url, getattr(client, method)(url, body, format="json").status_code)
        for method, url, body in writes(world)
    ]

    assert [code for _, _, code in answered] == [403] * len(answered), answered
    assert snapshot() == before
    detail = client.patch(f"/api/v1/outlets/{world['outlet'].pk}/", {"name": "x"}).json()
    assert detail == {
        "detail": str(services.OUTLETS_NOT_MANAGED).format(ids=str(world["outlet"].pk))
    }


def test_her_own_manager_may_do_each_of_them(world):
    client = client_for(world["a"])
    expected = [200, 400, 201, 201, 400, 201, 200, 200, 200, 200, 400]

    answered = [
        getattr(client, method)(url, body, format="json").status_code
        for method, url, body in writes(world)
    ]

    assert answered == expected
    world["outlet"].refresh_from_db()
    assert world["outlet"].name == "Gerai Baru"
    assert Stall.objects.filter(code__in=["B-09", "B-10", "B-11"]).count() == 3
    assert Lease.objects.get().status == "terminated"


def test_a_co_manager_added_to_the_outlet_may_edit_it(world, make_user):
    c = make_user("outlet_manager")
    world["outlet"].managers.add(c)
    response = client_for(c).patch(
        f"/api/v1/outlets/{world['outlet'].pk}/", {"name": "Gerai Bersama"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["managers"] == sorted([world["a"].pk, c.pk])


def test_a_round_over_outlets_of_two_managers_needs_both(world, make_user, make_asset):
    theirs = make_outlet(make_asset, world["b"], lon=106.8300, lat=-6.3900)
    body = {
        "name": "Putaran gabungan",
        "outlets": [world["outlet"].pk, theirs.pk],
        "opens_at": "2026-01-01T00:00:00Z",
        "closes_at": "2099-01-01T00:00:00Z",
    }
    rounds = AllocationRound.objects.count()

    response = client_for(world["a"]).post("/api/v1/rounds/", body, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": str(services.OUTLETS_NOT_MANAGED).format(ids=theirs.pk)}
    assert AllocationRound.objects.count() == rounds


def test_every_manager_still_reads_every_outlet(world):
    client = client_for(world["b"])
    outlet, round_ = world["outlet"], world["rounds"]["open"]
    for url in (
        f"/api/v1/outlets/{outlet.pk}/",
        f"/api/v1/outlets/{outlet.pk}/stalls/",
        f"/api/v1/rounds/{round_.pk}/",
        f"/api/v1/leases/{world['lease'].pk}/",
    ):
        assert client.get(url).status_code == 200, url


def test_whoever_opens_an_outlet_manages_it(make_user, make_asset, client_as):
    manager = make_user("outlet_manager")
    outlet = make_outlet(make_asset, manager, stalls=())
    assert list(outlet.managers.all()) == [manager]
    body = client_for(manager).get(f"/api/v1/outlets/{outlet.pk}/").json()
    assert (body["manager"], body["managers"]) == (manager.pk, [manager.pk])


def test_the_migration_makes_each_outlets_creator_its_manager(make_user, make_asset):
    a, b = make_user("outlet_manager"), make_user("outlet_manager")
    first = make_outlet(make_asset, a, stalls=())
    second = make_outlet(make_asset, b, stalls=(), lon=106.8300, lat=-6.3900)
    Outlet.managers.through.objects.all().delete()
    migration = importlib.import_module("outlets.migrations.0005_outlet_managers")

    migration.creators_manage_their_outlets(apps, None)

    assert sorted(Outlet.managers.through.objects.values_list("outlet_id", "user_id")) == [
        (first.pk, a.pk),
        (second.pk, b.pk),
    ]
