"""Races on PostgreSQL for outlet operations: the same statement imported twice at once records
each payment once; two managers approving one renewal at once make one lease; `run_daily` twice
at once makes one set of bills. Threads each hold their own connection (SQLite serialises
writers itself, so these run only on PostgreSQL: set DATABASE_URL)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from operations.models import Bill, Payment, RenewalRequest
from operations.services import renewals
from operations.services.billing import virtual_account
from outlets.models import Lease
from outlets.nik import city_today
from tests.conftest import client_for
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet, run_daily
from tests.outlets.test_concurrency import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
API = "/api/v1"


def _leased(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = priced_outlet(make_asset, manager)
    vendor = make_vendor()
    round_ = allocated_round(manager, [outlet], [(vendor, [(outlet, "kiosk")])])
    client_for(vendor.user).post(f"{API}/offers/{round_.applications.get().offer.pk}/accept/")
    return manager, outlet, vendor, Lease.objects.get(vendor=vendor)


def test_one_statement_imported_twice_at_once_records_each_payment_once(make_asset, make_user):
    manager, _outlet, _vendor, lease = _leased(make_asset, make_user)
    va = virtual_account(lease.pk)
    rows = "".join(f"VA-{n},{city_today()},1000,{va}\n" for n in range(30))
    content = f"reference,paid_on,amount,virtual_account\n{rows}".encode()

    def upload(i):
        f = SimpleUploadedFile("mutasi.csv", content, content_type="text/csv")
        return client_for(manager).post(f"{API}/payments/import/", {"file": f}, format="multipart")

    responses = race(4, upload)

    assert [r.status_code for r in responses] == [200] * 4
    assert sum(len(r.json()["recorded"]) for r in responses) == 30
    assert sum(len(r.json()["already_recorded"]) for r in responses) == 90
    assert Payment.objects.count() == 30
    numbers = sorted(Payment.objects.values_list("receipt_number", flat=True))
    year = city_today().year
    assert numbers == [f"KW/{year}/{n:06d}" for n in range(1, 31)]


def test_two_managers_approving_one_renewal_at_once_make_one_lease(make_asset, make_user):
    manager, outlet, vendor, lease = _leased(make_asset, make_user)
    second = make_user("outlet_manager")
    outlet.managers.add(second)
    today = city_today()
    Lease.objects.filter(pk=lease.pk).update(
        start_date=today - timedelta(days=300), end_date=today + timedelta(days=30)
    )
    request = renewals.renewal_request(lease=lease, user=vendor.user, months=12)
    url = f"{API}/renewals/{request.pk}/approve/"
    users = [manager, second] * 5

    responses = race(10, lambda i: client_for(users[i]).post(url))

    assert [r.status_code for r in responses] == [200] * 10
    assert Lease.objects.filter(renewal_of=lease).count() == 1
    new = Lease.objects.get(renewal_of=lease)
    assert {r.json()["new_lease"] for r in responses} == {new.pk}
    assert RenewalRequest.objects.get().status == "approved"


def test_run_daily_twice_at_once_makes_one_set_of_bills(make_asset, make_user):
    leases = [_leased(make_asset, make_user)[3] for _ in range(3)]
    day = city_today() + timedelta(days=100)  # four monthly bills each

    race(4, lambda i: run_daily(day))

    assert Bill.objects.count() == 12
    for lease in leases:
        assert Bill.objects.filter(lease=lease).count() == 4
