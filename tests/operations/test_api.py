"""The operations API: prices, bills, statements, reversals, receipts, renewals, inspections,
reports and the derived lease state, through the real stack; bad input is a 400 naming the
field with nothing written, a conflict a 409, another vendor's object a 404."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from operations.ledger import add_months
from operations.models import Bill, Inspection, Payment, RenewalRequest, Reversal, Tariff
from operations.services import billing, enforcement, pricing, renewals
from operations.services.billing import virtual_account
from outlets.models import Lease, Stall
from outlets.nik import city_today
from tests.conftest import client_for
from tests.operations.helpers import allocated_round, make_vendor, priced_outlet, run_daily

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def leased(make_asset, make_user):
    """A manager, her priced outlet and a vendor holding its kiosk on a 14-month lease."""
    manager = make_user("outlet_manager")
    outlet = priced_outlet(make_asset, manager)
    vendor = make_vendor()
    round_ = allocated_round(manager, [outlet], [(vendor, [(outlet, "kiosk")])])
    offer = round_.applications.get().offer
    client_for(vendor.user).post(f"{API}/offers/{offer.pk}/accept/")
    return manager, outlet, vendor, Lease.objects.get(vendor=vendor)


def test_a_tariff_above_30_percent_of_the_commercial_rate_is_refused(make_asset, make_user):
    manager = make_user("outlet_manager")
    outlet = priced_outlet(make_asset, manager)
    boss = client_for(manager)
    body = {"outlet": outlet.pk, "stall_kind": "booth", "base_rate_per_m2": "30000.01",
            "regulation": "Perwal 8/2026", "valid_from": "2026-01-01"}  # fmt: skip
    response = boss.post(f"{API}/tariffs/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "base_rate_per_m2": [str(pricing.TARIFF_OVER_CAP).format(rate="30000.01", cap="30000.00")]
    }
    assert Tariff.objects.count() == 1
    body["base_rate_per_m2"] = "30000.00"
    assert boss.post(f"{API}/tariffs/", body, format="json").status_code == 201
    assert boss.post(f"{API}/tariffs/", body, format="json").status_code == 409
    for field, value in [("base_rate_per_m2", "-1"), ("base_rate_per_m2", "1e400"),
                         ("valid_from", "99999-01-01"), ("location_factor", "11"),
                         ("stall_kind", "castle"), ("outlet", 10**30)]:  # fmt: skip
        response = boss.post(f"{API}/tariffs/", {**body, field: value}, format="json")
        assert response.status_code == 400, (field, response.json())
        assert field in response.json(), (field, response.json())
    assert Tariff.objects.count() == 2
    # another manager's outlet is not hers to price
    other = client_for(make_user("outlet_manager"))
    body["valid_from"] = "2026-02-01"
    assert other.post(f"{API}/tariffs/", body, format="json").status_code == 403
    assert client_for(make_user("planner")).post(f"{API}/tariffs/", body).status_code == 403
    assert Tariff.objects.count() == 2


def test_a_lease_past_its_end_date_reads_ended_everywhere_with_no_job(leased, make_user):
    manager, outlet, vendor, lease = leased
    yesterday = city_today() - timedelta(days=1)
    Lease.objects.filter(pk=lease.pk).update(
        start_date=yesterday - timedelta(days=400), end_date=yesterday
    )
    assert Lease.objects.get(pk=lease.pk).status == "active"  # stored, no job run
    for client in (client_for(vendor.user), client_for(manager), client_for(make_user("planner"))):
        assert client.get(f"{API}/leases/{lease.pk}/").json()["status"] == "ended"
        assert client.get(f"{API}/leases/").json()["results"][0]["status"] == "ended"
    stalls = client_for(manager).get(f"{API}/outlets/{outlet.pk}/stalls/").json()
    rows = stalls["results"] if isinstance(stalls, dict) else stalls
    assert [s["status"] for s in rows] == ["vacant"]
    # terminating an ended lease is a conflict; the job writes down what readers saw
    response = client_for(manager).post(
        f"{API}/leases/{lease.pk}/terminate/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    run_daily(city_today())
    assert Lease.objects.get(pk=lease.pk).status == "ended"
    assert Stall.objects.get(outlet=outlet).status == "vacant"


def test_a_statement_imported_twice_records_each_payment_once(leased):
    manager, outlet, vendor, lease = leased
    run_daily(city_today())
    va = virtual_account(lease.pk)
    csv = (
        "reference,paid_on,amount,virtual_account\n"
        f'BNI-1,{city_today()},100000,{va}\nBNI-2,{city_today()},"50,000.00",{va}\n'
    ).encode()
    boss = client_for(manager)

    def upload(content):
        f = SimpleUploadedFile("mutasi.csv", content, content_type="text/csv")
        return boss.post(f"{API}/payments/import/", {"file": f}, format="multipart")

    first = upload(csv)
    assert first.status_code == 200, first.json()
    assert [(p["reference"], p["amount"]) for p in first.json()["recorded"]] == [
        ("BNI-1", "100000.00"), ("BNI-2", "50000.00")
    ]  # fmt: skip
    second = upload(csv)
    assert second.json() == {"recorded": [], "already_recorded": ["BNI-1", "BNI-2"]}
    assert Payment.objects.count() == 2
    # one bad row: nothing recorded, the row named
    bad = csv + f"BNI-3,2026-13-01,1,{va}\nBNI-4,{city_today()},5,82760000\n".encode()
    response = upload(bad)
    assert response.status_code == 400
    assert response.json() == {
        "file": [
            str(billing.STATEMENT_ROW).format(
                row=4, problem=str(billing.BAD_DATE).format(value="2026-13-01")
            ),
            str(billing.STATEMENT_ROW).format(
                row=5, problem=str(billing.UNKNOWN_ACCOUNT).format(account="82760000")
            ),
        ]
    }
    assert upload(b"\xff\xfe").status_code == 400
    assert Payment.objects.count() == 2
    account = boss.get(f"{API}/accounts/{lease.pk}/").json()
    # 150,000 paid on a 120,000 bill: a balance of -30,000, the credit for the next bill
    assert (account["balance"], account["credit"]) == ("-30000.00", "30000.00")


def test_payments_reverse_with_a_reason_and_print_a_receipt(leased, make_user):
    manager, outlet, vendor, lease = leased
    run_daily(city_today())
    boss = client_for(manager)
    body = {"lease": lease.pk, "reference": "KAS-1", "amount": "120000", "paid_on": "2026-01-05"}
    payment = boss.post(f"{API}/payments/", body, format="json").json()
    assert payment["receipt_number"] == "KW/2026/000001"
    assert boss.post(f"{API}/payments/", body, format="json").status_code == 409
    for field, value in [("amount", "0"), ("amount", "abc"), ("lease", 999999),
                         ("paid_on", "1999-12-31"), ("reference", "")]:  # fmt: skip
        response = boss.post(f"{API}/payments/", {**body, field: value}, format="json")
        assert response.status_code == 400, (field, response.json())
        assert field in response.json(), (field, response.json())
    assert Payment.objects.count() == 1
    pdf = boss.get(f"{API}/payments/{payment['id']}/receipt/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        client_for(vendor.user).get(f"{API}/payments/{payment['id']}/receipt/").status_code == 200
    )
    stranger = client_for(make_vendor().user)
    assert stranger.get(f"{API}/payments/{payment['id']}/receipt/").status_code == 404
    url = f"{API}/payments/{payment['id']}/reverse/"
    response = boss.post(url, {"reason": " "}, format="json")
    assert response.json() == {"reason": [str(billing.REASON_REQUIRED)]}
    assert Reversal.objects.count() == 0
    response = boss.post(url, {"reason": "Transfer ditolak bank"}, format="json")
    assert response.json()["reversed"] is True
    assert boss.post(url, {"reason": "again"}, format="json").status_code == 409
    assert boss.get(f"{API}/accounts/{lease.pk}/").json()["balance"] == "120000.00"


def test_renewal_in_the_last_90_days_approved_once_at_the_tariff_in_force(leased, make_user):
    manager, outlet, vendor, lease = leased
    today = city_today()
    me, boss = client_for(vendor.user), client_for(manager)
    body = {"lease": lease.pk, "months": 24}
    response = me.post(f"{API}/renewals/", body, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": str(renewals.NOT_IN_WINDOW)}
    Lease.objects.filter(pk=lease.pk).update(
        start_date=today - timedelta(days=300), end_date=today + timedelta(days=60)
    )
    assert me.post(f"{API}/renewals/", {**body, "months": 61}, format="json").json() == {
        "months": ["Ensure this value is less than or equal to 60."]
    }
    pricing.tariff_create(
        outlet=outlet, user=manager, stall_kind="kiosk", base_rate_per_m2=Decimal("25000"),
        regulation="Perwal 9/2026", valid_from=today + timedelta(days=60),
    )  # fmt: skip
    request = me.post(f"{API}/renewals/", body, format="json").json()
    assert request["status"] == "pending"
    assert me.post(f"{API}/renewals/", body, format="json").status_code == 409
    assert (
        client_for(make_user("outlet_manager"))
        .post(f"{API}/renewals/{request['id']}/approve/")
        .status_code
        == 403
    )
    approved = boss.post(f"{API}/renewals/{request['id']}/approve/").json()
    again = boss.post(f"{API}/renewals/{request['id']}/approve/").json()
    assert approved == again
    assert approved["status"] == "approved"
    new = Lease.objects.get(pk=approved["new_lease"])
    assert (new.status, new.start_date, new.renewal_of_id, new.monthly_fee) == (
        "signed", today + timedelta(days=60), lease.pk, Decimal("150000.00")
    )  # fmt: skip
    assert new.end_date == add_months(new.start_date, 24)
    assert me.get(f"{API}/leases/{new.pk}/").json()["status"] == "signed"
    # on the old lease's end date it reads renewed and the new one active, the stall leased
    run_daily(today + timedelta(days=60))
    assert Lease.objects.get(pk=lease.pk).status == "renewed"
    assert Lease.objects.get(pk=new.pk).status == "active"
    assert Stall.objects.get(outlet=outlet).status == "leased"


def test_no_renewal_with_arrears_or_an_open_warning(leased):
    manager, outlet, vendor, lease = leased
    today = city_today()
    Lease.objects.filter(pk=lease.pk).update(
        start_date=today - timedelta(days=300), end_date=today + timedelta(days=60)
    )
    enforcement.warning_issue(
        lease=lease, user=manager, reason="not_trading", detail="", issued_on=today,
        deadline=today + timedelta(days=7),
    )  # fmt: skip
    response = client_for(vendor.user).post(
        f"{API}/renewals/", {"lease": lease.pk, "months": 12}, format="json"
    )
    assert response.json() == {"detail": str(renewals.HAS_WARNING)}
    assert RenewalRequest.objects.count() == 0


def test_inspections_with_photos_and_the_closed_stalls_report(leased, make_user):
    manager, outlet, vendor, lease = leased
    Lease.objects.filter(pk=lease.pk).update(start_date=city_today() - timedelta(days=30))
    stall = lease.stall
    boss = client_for(manager)
    png = BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    for day, finding in [(1, "closed"), (2, "trading"), (3, "closed")]:
        photo = SimpleUploadedFile("foto.png", png.getvalue(), content_type="image/png")
        body = {"stall": stall.pk, "visited_on": (city_today() - timedelta(days=day)).isoformat(),
                "finding": finding, "note": "Kunjungan", "photos": [photo]}  # fmt: skip
        response = boss.post(f"{API}/inspections/", body, format="multipart")
        assert response.status_code == 201, response.json()
    fake = SimpleUploadedFile("foto.png", b"not a picture", content_type="image/png")
    body = {"stall": stall.pk, "visited_on": str(city_today()), "finding": "closed",
            "photos": [fake]}  # fmt: skip
    response = boss.post(f"{API}/inspections/", body, format="multipart")
    assert response.json() == {"photos": [str(enforcement.PHOTO_NOT_IMAGE)]}
    assert Inspection.objects.count() == 3
    report = boss.get(f"{API}/operations/reports/closed-stalls/").json()
    assert report["rows"] == [
        {"stall": stall.pk, "stall_code": "K-01", "outlet": outlet.pk, "lease": lease.pk,
         "visits": 3, "closed": 2}
    ]  # fmt: skip
    assert client_for(make_user("planner")).post(f"{API}/inspections/", body).status_code == 403


def test_reports_as_json_csv_and_xlsx(leased, make_user):
    manager, outlet, vendor, lease = leased
    today = city_today()
    run_daily(today)
    billing.payment_record(
        lease=lease, user=manager, reference="R1", amount=Decimal("100000"), paid_on=today
    )
    planner = client_for(make_user("planner"))
    month = today.strftime("%Y-%m")
    end = (today + timedelta(days=1)).isoformat()
    rows = planner.get(f"{API}/operations/reports/revenue/?start={today}&end={end}").json()["rows"]
    assert rows == [
        {"outlet": outlet.pk, "outlet_name": outlet.name, "kecamatan": "32.76.06",
         "month": month, "billed": "120000.00", "collected": "100000.00"}
    ]  # fmt: skip
    csv = planner.get(f"{API}/operations/reports/revenue/?start={today}&end={end}&download=csv")
    assert csv.content.decode().splitlines() == [
        "outlet,outlet_name,kecamatan,month,billed,collected",
        f"{outlet.pk},{outlet.name},32.76.06,{month},120000.00,100000.00",
    ]
    xlsx = planner.get(f"{API}/operations/reports/revenue/?start={today}&end={end}&download=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]] == [
        outlet.pk,
        outlet.name,
        "32.76.06",
        month,
        120000,
        100000,
    ]
    late = today + timedelta(days=45)
    arrears = planner.get(f"{API}/operations/reports/arrears/?on={late}").json()["rows"]
    assert [(r["lease"], r["overdue"], r["days_31_60"]) for r in arrears] == [
        (lease.pk, "20000.00", "20000.00")
    ]
    ending = planner.get(
        f"{API}/operations/reports/leases-ending/?on={lease.end_date - timedelta(days=10)}"
    )
    assert [(r["lease"], r["days_left"]) for r in ending.json()["rows"]] == [(lease.pk, 10)]
    occupancy = planner.get(f"{API}/operations/reports/occupancy/?start={today}&end={end}").json()[
        "rows"
    ]
    assert [(r["stalls"], r["leased_days"], r["vacant_days"]) for r in occupancy] == [(1, 1, 0)]
    assert planner.get(f"{API}/operations/reports/arrears/?on=2026-02-30").status_code == 400
    assert planner.get(f"{API}/operations/reports/nothing/").status_code == 404
    assert client_for(vendor.user).get(f"{API}/operations/reports/arrears/").status_code == 403
    assert Bill.objects.count() == 1
