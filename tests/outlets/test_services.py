"""The allocation service around the engine: what it feeds the engine, what it stores and offers."""

import hashlib

import pytest

from core.models import AuditEvent
from outlets import allocation, services
from outlets.models import AllocationRun, Application, Offer, Stall
from tests.outlets.helpers import (
    BEJI_KECAMATAN,
    apply,
    make_outlet,
    make_round,
    make_vendor,
    verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


def allocate(round_, manager):
    services.round_close(round_=round_, user=manager)
    return services.round_allocate(round_=round_, user=manager)


def test_the_run_records_exactly_the_engine_input_anyone_can_recompute(make_asset, manager):
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    round_ = make_round(manager, [outlet], status="open", category_cap=1)
    woman = make_vendor(women=True, category="craft")
    # WUB needs a Depok domicile: Sawangan, outside the outlet's kecamatan
    member = make_vendor(wub=True, category="culinary", kelurahan="32.76.03.1010")
    other = make_vendor(category="culinary")
    for vendor in (woman, member, other):
        verify(vendor, manager)  # only verified claims reach the engine
    apps = [apply(v, round_, (outlet, "kiosk")) for v in (woman, member, other)]
    round_ = allocate(round_, manager)
    run = AllocationRun.objects.get()

    # what a citizen can rebuild from the published data
    groups = [allocation.Group(key=(outlet.pk, "kiosk"), capacity=2, kecamatan_code=BEJI_KECAMATAN)]
    applicants = [
        allocation.Applicant(
            application_id=app.pk,
            choices=((outlet.pk, "kiosk"),),
            wub_participant=vendor.wub_participant,
            women_programme=vendor.women_programme,
            kecamatan_code=vendor.home_kelurahan_id[:8],
            product_category=vendor.product_category,
        )
        for app, vendor in zip(apps, (woman, member, other), strict=True)
    ]
    params = allocation.Params(seed=round_.seed, category_cap=1)
    expected = allocation.allocate(groups, applicants, params)
    digest = hashlib.sha256(allocation.canonical_input(groups, applicants, params)).hexdigest()

    assert run.seed == round_.seed
    assert run.input_sha256 == digest
    assert run.engine_version == allocation.ENGINE_VERSION
    assert run.figures["counts"] == expected.counts
    assert run.figures["groups"][0]["reserved"] == 0
    assigned = {o.application_id for o in Offer.objects.all()}
    assert assigned == {a for a, g in expected.assignment.items() if g is not None}
    # the cap of one per category: culinary can take only one of the two kiosks
    assert len(assigned) == 2
    assert woman.applications.get().pk in assigned


def test_capacity_is_the_vacant_stalls_only(make_asset, manager):
    outlet = make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("D-01", "kitchen"))
    )
    Stall.objects.filter(code__in=["K-01", "D-01"]).update(status="leased")
    round_ = make_round(manager, [outlet], status="open")
    member = make_vendor(wub=True)
    verify(member, manager, "wub_participant")
    first = apply(member, round_, (outlet, "kiosk"))
    second = apply(make_vendor(), round_, (outlet, "kiosk"), (outlet, "kitchen"))
    allocate(round_, manager)
    figures = {g["stall_kind"]: g for g in AllocationRun.objects.get().figures["groups"]}
    assert (figures["kiosk"]["capacity"], figures["kitchen"]["capacity"]) == (1, 0)
    assert Offer.objects.get().application_id == first.pk
    assert Offer.objects.get().stall.code == "K-02"
    second.refresh_from_db()
    assert second.status == "unassigned"
    assert [c.priority is not None for c in second.choices.all()] == [True, True]


def test_stalls_go_out_in_natural_code_order(make_asset, manager):
    codes = ("K-10", "K-2", "K-1")
    outlet = make_outlet(make_asset, manager, stalls=[(code, "kiosk") for code in codes])
    round_ = make_round(manager, [outlet], status="open")
    apps = [apply(make_vendor(), round_, (outlet, "kiosk")) for _ in range(3)]
    round_ = allocate(round_, manager)
    assert AllocationRun.objects.get().figures["groups"][0]["assigned"] == 3
    # all three are equal but for the lottery: the lowest number takes the first code
    ranked = sorted(apps, key=lambda a: allocation.lottery(round_.seed, a.pk))
    assert [Offer.objects.get(application=a).stall.code for a in ranked] == ["K-1", "K-2", "K-10"]


def test_withdrawn_applications_are_left_out(make_asset, manager):
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor(wub=True)
    withdrawn = apply(vendor, round_, (outlet, "kiosk"))
    services.application_withdraw(application=withdrawn, user=vendor.user)
    kept = apply(make_vendor(), round_, (outlet, "kiosk"))
    allocate(round_, manager)
    assert Offer.objects.get().application_id == kept.pk
    assert Application.objects.get(pk=withdrawn.pk).status == "withdrawn"
    assert AllocationRun.objects.get().figures["counts"]["applications"] == 1


def test_an_empty_round_allocates_to_nobody(make_asset, manager):
    outlet = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    round_ = allocate(round_, manager)
    assert round_.status == "allocated"
    assert AllocationRun.objects.get().figures["counts"]["assigned"] == 0
    assert Offer.objects.count() == 0
    assert Stall.objects.get().status == "vacant"


def test_allocation_is_audited_and_kept_in_history(make_asset, manager):
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    round_ = make_round(manager, [outlet], status="open")
    apply(make_vendor(), round_, (outlet, "kiosk"))
    apply(make_vendor(), round_, (outlet, "kiosk"))
    allocate(round_, manager)
    event = AuditEvent.objects.get(action="bulk")
    assert event.object_type == "outlets.offer"
    assert event.changes == {"offers_created": [0, 2], "stalls_offered": [0, 2]}
    assert event.user == manager
    assert Offer.history.count() == 2
    assert {h.history_user_id for h in Offer.history.all()} == {manager.pk}
    assert Stall.history.filter(status="offered").count() == 2
