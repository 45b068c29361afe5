"""The admin's read-only pages of outlets and operations, through the real admin with users in
each role: outlet managers read every page of their work, planners read leases, bills and
payments, asset officers get no outlet page (403) and vendors no admin at all (to the login).
Nobody writes, administrators included: a POST to a change page is refused and writes nothing.
A vendor's birth date, gender and NIK ciphertext and hash are for administrators only. Each
list page of 30 rows is a fixed number of queries. The migration's reverse takes back exactly
the permissions it gave."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import ASSET_OFFICER, OUTLET_MANAGER, PLANNER, VENDOR
from operations.models import (
    Bill,
    Inspection,
    LeasePricing,
    OutletTerms,
    Payment,
    RenewalRequest,
    Reversal,
    Tariff,
    Termination,
    WaitlistOffer,
    WarningLetter,
)
from operations.services.billing import payment_record
from outlets import services
from outlets.models import (
    AllocationRound,
    Application,
    Lease,
    Offer,
    Vendor,
)
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet

pytestmark = pytest.mark.django_db

MIGRATION = "operations.migrations.0002_admin_view_permissions"
MANAGER_PAGES = (
    "outlets.outlet", "outlets.stall", "outlets.allocationround", "outlets.application",
    "outlets.offer", "outlets.lease", "outlets.vendor", "operations.bill", "operations.payment",
    "operations.reversal", "operations.warningletter", "operations.termination",
    "operations.inspection", "operations.renewalrequest", "operations.waitlistoffer",
    "operations.tariff", "operations.outletterms", "operations.leasepricing",
)  # fmt: skip
PLANNER_PAGES = ("outlets.lease", "operations.bill", "operations.payment")


def _url(label: str, pk: int | None = None, action: str = "change") -> str:
    app, model = label.split(".")
    if pk is None:
        return f"/admin/{app}/{model}/"
    return f"/admin/{app}/{model}/{pk}/{action}/"


def _signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user, make_asset):
    """One of everything the pages show: a lease from an accepted offer (priced by the tariff),
    its bill, a payment and its reversal, an SP1, an inspection, a refused renewal, a declined
    waitlist offer and a termination of an older lease of the same stall."""
    manager = make_user(OUTLET_MANAGER)
    outlet = priced_outlet(make_asset, manager)
    first, second = make_vendor(), make_vendor()
    round_ = allocated_round(
        manager, [outlet], [(first, [(outlet, "kiosk")]), (second, [(outlet, "kiosk")])]
    )
    offer = Offer.objects.get(application__round=round_)
    holder = offer.application.vendor
    services.offer_accept(offer=offer, user=holder.user)
    lease = Lease.objects.get(offer=offer)
    stall = lease.stall
    today = lease.start_date
    bill = Bill.objects.create(
        lease=lease, period_start=today, period_end=today + timedelta(days=30),
        due_date=today + timedelta(days=10), amount=Decimal("120000.00"),
    )  # fmt: skip
    payment = payment_record(
        lease=lease, user=manager, reference="TRX-ADMIN-1", amount=Decimal("120000"), paid_on=today
    )
    bounced = payment_record(
        lease=lease, user=manager, reference="TRX-ADMIN-2", amount=Decimal("5000"), paid_on=today
    )
    reversal = Reversal.objects.create(payment=bounced, reason="Bounced", reversed_by=manager)
    warning = WarningLetter.objects.create(
        lease=lease, level=1, reason="arrears", issued_on=today,
        deadline=today + timedelta(days=14), issued_by=manager,
    )  # fmt: skip
    inspection = Inspection.objects.create(
        stall=stall, lease=lease, visited_on=today, finding="trading", inspector=manager
    )
    renewal = RenewalRequest.objects.create(
        lease=lease, months=12, status="refused", refusal_reason="Arrears",
        requested_by=holder.user, decided_by=manager,
    )  # fmt: skip
    waitlist_offer = WaitlistOffer.objects.create(
        application=Application.objects.exclude(pk=offer.application_id).get(round=round_),
        stall=stall, choice_rank=1, status="declined", expires_at=timezone.now(),
    )  # fmt: skip
    old_lease = Lease.objects.create(
        stall=stall, vendor=holder, start_date=date(2020, 1, 1), end_date=date(2021, 1, 1),
        monthly_fee=Decimal("100000"), status="terminated", termination_reason="Sublet",
    )  # fmt: skip
    termination = Termination.objects.create(
        lease=old_lease, ground="serious_breach", reason="Sublet", terminated_on=date(2020, 6, 1),
        terminated_by=manager,
    )  # fmt: skip
    return {
        "manager": manager,
        "holder": holder,
        "outlets.outlet": outlet,
        "outlets.stall": stall,
        "outlets.allocationround": round_,
        "outlets.application": offer.application,
        "outlets.offer": offer,
        "outlets.lease": lease,
        "outlets.vendor": holder,
        "operations.bill": bill,
        "operations.payment": payment,
        "operations.reversal": reversal,
        "operations.warningletter": warning,
        "operations.termination": termination,
        "operations.inspection": inspection,
        "operations.renewalrequest": renewal,
        "operations.waitlistoffer": waitlist_offer,
        "operations.tariff": Tariff.objects.get(outlet=outlet),
        "operations.outletterms": OutletTerms.objects.get(outlet=outlet),
        "operations.leasepricing": LeasePricing.objects.get(lease=lease),
    }


# --- who reads what -------------------------------------------------------------------------


def test_an_outlet_manager_reads_every_page(world):
    client = _signed_in(world["manager"])
    for label in MANAGER_PAGES:
        obj = world[label]
        for url in (_url(label), _url(label, obj.pk), _url(label, obj.pk, "history")):
            if url.endswith("history/") and label in (
                "outlets.application",
                "operations.leasepricing",
            ):
                continue  # no history kept
            assert client.get(url).status_code == 200, url
        # nothing to add or delete
        assert client.get(f"{_url(label)}add/").status_code == 403, label
        assert client.get(_url(label, obj.pk, "delete")).status_code == 403, label


def test_another_manager_reads_them_too_and_the_index_lists_them(world, make_user):
    client = _signed_in(make_user(OUTLET_MANAGER))
    index = client.get("/admin/").content.decode()
    for label in MANAGER_PAGES:
        assert _url(label) in index, label
    assert client.get(_url("operations.payment", world["operations.payment"].pk)).status_code == 200


def test_a_planner_reads_leases_bills_and_payments_only(world, make_user):
    client = _signed_in(make_user(PLANNER))
    for label in MANAGER_PAGES:
        expected = 200 if label in PLANNER_PAGES else 403
        obj = world[label]
        assert client.get(_url(label)).status_code == expected, label
        assert client.get(_url(label, obj.pk)).status_code == expected, label


def test_a_planner_sees_a_leases_business_name_not_the_vendors_details(world, make_user):
    client = _signed_in(make_user(PLANNER))
    holder = world["holder"]
    for url in (_url("outlets.lease"), _url("outlets.lease", world["outlets.lease"].pk)):
        html = client.get(url).content.decode()
        assert holder.business_name in html
        assert holder.full_name not in html
        assert holder.nik_masked not in html
    # the admin links the vendor's name to her page, which a planner may not open
    assert client.get(_url("outlets.vendor", holder.pk)).status_code == 403
    manager = _signed_in(world["manager"])
    html = manager.get(_url("outlets.lease")).content.decode()
    assert holder.full_name in html
    assert holder.nik_masked in html


@pytest.mark.parametrize("role", [ASSET_OFFICER])
def test_an_asset_officer_gets_no_outlet_page(world, make_user, role):
    client = _signed_in(make_user(role))
    assert client.get("/admin/").status_code == 200
    for label in MANAGER_PAGES:
        assert client.get(_url(label)).status_code == 403, label
        assert client.get(_url(label, world[label].pk)).status_code == 403, label


def test_a_vendor_is_sent_to_the_login(world):
    client = _signed_in(world["holder"].user)
    assert world["holder"].user.groups.filter(name=VENDOR).exists()
    for label in MANAGER_PAGES:
        response = client.get(_url(label, world[label].pk))
        assert response.status_code == 302, label
        assert response["Location"].startswith("/admin/login/"), label


# --- nobody writes --------------------------------------------------------------------------


def test_a_managers_post_to_a_change_page_is_refused_and_writes_nothing(world):
    client = _signed_in(world["manager"])
    lease = world["outlets.lease"]
    history = lease.history.count()
    response = client.post(
        _url("outlets.lease", lease.pk),
        {"status": "terminated", "termination_reason": "x", "monthly_fee": "1"},
    )
    assert response.status_code == 403
    lease.refresh_from_db()
    assert (lease.status, lease.monthly_fee) == ("active", Decimal("120000.00"))
    assert lease.history.count() == history

    payment = world["operations.payment"]
    response = client.post(_url("operations.payment", payment.pk), {"amount": "1"})
    assert response.status_code == 403
    assert (
        client.post(_url("operations.payment", payment.pk, "delete"), {"post": "yes"}).status_code
        == 403
    )
    assert client.post(f"{_url('operations.bill')}add/", {"amount": "1"}).status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("120000.00")
    assert Payment.objects.count() == 2
    assert Bill.objects.count() == 1

    stall = world["outlets.stall"]
    response = client.post(_url("outlets.stall", stall.pk), {"status": "vacant", "code": "X"})
    assert response.status_code == 403
    stall.refresh_from_db()
    assert (stall.status, stall.code) == ("leased", "K-01")


def test_an_administrator_reads_but_does_not_write_either(world, admin_client):
    lease = world["outlets.lease"]
    page = admin_client.get(_url("outlets.lease", lease.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert (
        admin_client.post(_url("outlets.lease", lease.pk), {"status": "ended"}).status_code == 403
    )
    lease.refresh_from_db()
    assert lease.status == "active"


def test_an_administrator_cannot_edit_a_vendor_and_titles_are_in_her_language(world, make_user):
    vendor = world["outlets.lease"].vendor
    admin = make_user(username="root_admin")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = Client()  # Indonesian, the site's language
    client.force_login(admin)
    page = client.get(_url("outlets.vendor", vendor.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    name = vendor.full_name
    response = client.post(_url("outlets.vendor", vendor.pk), {"full_name": "Diganti"})
    assert response.status_code == 403
    vendor.refresh_from_db()
    assert vendor.full_name == name
    lease = world["outlets.lease"]
    title = client.get(_url("outlets.lease", lease.pk)).content.decode()
    assert f"Sewa {lease.pk} (Aktif)" in title


# --- personal data --------------------------------------------------------------------------


def _vendor_secrets(vendor: Vendor) -> list[str]:
    return [
        vendor.nik_encrypted,
        vendor.nik_hash,
        vendor.birth_date.isoformat(),
        vendor.birth_date.strftime("%d/%m/%Y"),
        vendor.birth_date.strftime("%B %-d, %Y"),
        "birth date",
        "Birth date",
        "gender",
        "Gender",
        "Male",
        "Female",
    ]


def test_the_vendor_page_for_a_manager_has_no_birth_date_gender_or_nik_secrets(world):
    client = _signed_in(world["manager"])
    vendor = world["holder"]
    for url in (
        _url("outlets.vendor"),
        _url("outlets.vendor", vendor.pk),
        _url("outlets.vendor", vendor.pk, "history"),
    ):
        html = client.get(url).content.decode()
        assert vendor.business_name in html, url
        assert vendor.nik_masked in html, url
        leaks = [secret for secret in _vendor_secrets(vendor) if secret in html]
        assert leaks == [], url
    version = vendor.history.earliest()
    html = client.get(f"/admin/outlets/vendor/{vendor.pk}/history/{version.history_id}/")
    assert html.status_code == 200
    assert [s for s in _vendor_secrets(vendor) if s in html.content.decode()] == []


def test_an_administrator_still_sees_the_birth_date_and_gender(world, admin_client):
    vendor = world["holder"]
    html = admin_client.get(_url("outlets.vendor", vendor.pk)).content.decode()
    assert "Birth date" in html
    assert "Gender" in html
    assert vendor.nik_encrypted not in html
    assert vendor.nik_hash not in html


# --- a fixed number of queries per list -----------------------------------------------------


def _thirty_of_each(world) -> None:
    """30 rows on every list page that can hold them without 30 assets (outlets and their terms
    are one per asset: those lists are checked with the rows the world has)."""
    manager, holder = world["manager"], world["holder"]
    stall, round_ = world["outlets.stall"], world["outlets.allocationround"]
    services.stalls_create(
        outlet=world["outlets.outlet"], user=manager, many=True,
        items=[
            {"code": f"B-{n:02d}", "kind": "booth", "area_m2": 4.0, "monthly_fee": 90000,
             "has_power": False, "has_water": False}
            for n in range(30)
        ],
    )  # fmt: skip
    now = timezone.now()
    AllocationRound.objects.bulk_create(
        AllocationRound(
            name=f"Putaran {n}",
            opens_at=now,
            closes_at=now + timedelta(days=1),
            created_by=manager,
        )  # fmt: skip
        for n in range(30)
    )
    applications = Application.objects.bulk_create(
        Application(round=round_, vendor=holder, status="withdrawn") for _ in range(30)
    )
    Offer.objects.bulk_create(
        Offer(application=a, stall=stall, choice_rank=1, status="declined", expires_at=now)
        for a in applications
    )
    WaitlistOffer.objects.bulk_create(
        WaitlistOffer(application=a, stall=stall, choice_rank=1, status="declined", expires_at=now)
        for a in applications
    )
    leases = Lease.objects.bulk_create(
        Lease(
            stall=stall,
            vendor=holder,
            start_date=date(2019, 1, 1) + timedelta(days=n),
            end_date=date(2019, 6, 1) + timedelta(days=n),
            monthly_fee=Decimal("100000"),
            status="ended",
        )  # fmt: skip
        for n in range(30)
    )
    Bill.objects.bulk_create(
        Bill(
            lease=leases[0],
            period_start=date(2019, 1, 1) + timedelta(days=31 * n),
            period_end=date(2019, 1, 31) + timedelta(days=31 * n),
            due_date=date(2019, 1, 11) + timedelta(days=31 * n),
            amount=Decimal("120000"),
        )  # fmt: skip
        for n in range(30)
    )
    payments = Payment.objects.bulk_create(
        Payment(
            lease=leases[n],
            reference=f"BULK-{n}",
            amount=Decimal("1000"),
            paid_on=date(2019, 2, 1),
            receipt_number=f"KW/2019/{n:06d}",
            recorded_by=manager,
        )  # fmt: skip
        for n in range(30)
    )
    Reversal.objects.bulk_create(
        Reversal(payment=p, reason="Bounced", reversed_by=manager) for p in payments
    )
    WarningLetter.objects.bulk_create(
        WarningLetter(
            lease=leases[n // 3],
            level=n % 3 + 1,
            reason="arrears",
            issued_on=date(2019, 2, 1),
            deadline=date(2019, 2, 15),
            issued_by=manager,
        )  # fmt: skip
        for n in range(30)
    )
    Termination.objects.bulk_create(
        Termination(
            lease=leases[n],
            ground="after_sp3",
            reason="SP3",
            terminated_on=date(2019, 3, 1),
            terminated_by=manager,
        )  # fmt: skip
        for n in range(30)
    )
    Inspection.objects.bulk_create(
        Inspection(
            stall=stall,
            lease=leases[n],
            visited_on=date(2019, 3, 1),
            finding="closed",
            inspector=manager,
        )  # fmt: skip
        for n in range(30)
    )
    RenewalRequest.objects.bulk_create(
        RenewalRequest(
            lease=leases[n],
            months=12,
            status="refused",
            refusal_reason="Arrears",
            requested_by=holder.user,
            decided_by=manager,
            new_lease=None,
        )  # fmt: skip
        for n in range(30)
    )
    tariff = world["operations.tariff"]
    Tariff.objects.bulk_create(
        Tariff(
            outlet=tariff.outlet,
            stall_kind="booth",
            base_rate_per_m2=Decimal("15000"),
            regulation="Perwal Depok 7/2026",
            valid_from=date(2021, 1, 1) + timedelta(days=n),
            created_by=manager,
        )  # fmt: skip
        for n in range(30)
    )
    LeasePricing.objects.bulk_create(
        LeasePricing(
            lease=leases[n],
            regime="retribusi",
            area_m2=Decimal("6"),
            formula="fixed",
            monthly_amount=Decimal("100000"),
            months=5,
        )  # fmt: skip
        for n in range(30)
    )


@pytest.mark.parametrize("label", MANAGER_PAGES)
def test_a_list_of_thirty_rows_is_a_fixed_number_of_queries(
    world, label, django_assert_max_num_queries
):
    client = _signed_in(world["manager"])
    client.get(_url(label))  # the session and the content types are cached from here on
    with CaptureQueriesContext(connection) as few:
        client.get(_url(label))
    _thirty_of_each(world)
    with django_assert_max_num_queries(12):
        with CaptureQueriesContext(connection) as many:
            response = client.get(_url(label))
    assert response.status_code == 200
    assert len(many) == len(few), label  # as many queries for 30 rows as for one
    rows = len(response.context["cl"].result_list)
    few_rows = label in ("outlets.outlet", "outlets.vendor", "operations.outletterms")
    assert rows >= (1 if few_rows else 30), (label, rows)


def test_the_list_filters_and_searches(world):
    client = _signed_in(world["manager"])
    lease = world["outlets.lease"]
    old = world["operations.termination"].lease  # the same stall's and vendor's, terminated
    both = {lease.pk, old.pk}
    for query, expected in (
        ("?status=active", {lease.pk}),
        ("?status=terminated", {old.pk}),
        ("?status=ended", set()),
        (f"?stall__outlet__id__exact={lease.stall.outlet_id}", both),
        ("?stall__kind__exact=kiosk", both),
        ("?stall__kind__exact=booth", set()),
        (f"?q={lease.stall.code}", both),
        (f"?q={lease.vendor.business_name}", both),
        (f"?q={lease.stall.outlet.name}", both),
        ("?q=nobody-has-this", set()),
    ):
        cl = client.get(_url("outlets.lease") + query).context["cl"]
        assert {row.pk for row in cl.result_list} == expected, query
    payment = world["operations.payment"]
    cl = client.get(f"{_url('operations.payment')}?q={payment.receipt_number}").context["cl"]
    assert [row.pk for row in cl.result_list] == [payment.pk]
    html = client.get(_url("operations.payment")).content.decode()
    assert "Rp 120,000.00" in html  # the Decimal rupiah, grouped


# --- the migration --------------------------------------------------------------------------


def test_the_migrations_reverse_removes_exactly_its_permissions(world):
    migration = importlib.import_module(MIGRATION)
    apps = (
        MigrationExecutor(connection)
        .loader.project_state(("operations", "0002_admin_view_permissions"))
        .apps
    )
    manager, planner = Group.objects.get(name=OUTLET_MANAGER), Group.objects.get(name=PLANNER)
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in (manager, planner)}
    granted = {
        role: set(
            Permission.objects.filter(
                codename__in=[f"view_{label.split('.')[1]}" for label in labels],
                content_type__app_label__in=("outlets", "operations"),
            ).values_list("pk", flat=True)
        )
        for role, labels in migration.PERMISSIONS.items()
    }
    assert len(granted[OUTLET_MANAGER]) == len(migration.MANAGER_MODELS)
    assert len(granted[PLANNER]) == 3
    for role in (OUTLET_MANAGER, PLANNER):
        assert granted[role] <= before[role], role

    migration.revoke(apps, None)
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in (manager, planner)}
    for role in (OUTLET_MANAGER, PLANNER):
        assert after[role] == before[role] - granted[role], role
    assert manager.permissions.filter(codename="view_asset").exists()  # documents 0002's stays

    migration.grant(apps, None)
    again = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in (manager, planner)}
    assert again == before
