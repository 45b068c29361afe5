"""`/vendor/leases/<id>/bills/`: a vendor's account for one of her leases, as the API's
`accounts/{lease}/` reads it: each bill as her payments settle it (oldest first), what she owes
or has in credit today in Depok, the virtual account to pay into, her payments with their
numbered receipts (kwitansi, the API's PDF), and any warning letter on the lease."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from operations.choices import BILL_STATUS_LABELS
from operations.models import Payment, WarningLetter
from operations.services.billing import lease_account, virtual_account
from outlets.nik import city_today
from web.views.vendor._common import vendor_page
from web.views.vendor.queries import my_lease


@vendor_page
def lease_bills(request, lease_id: int):
    lease = my_lease(request.vendor, lease_id)  # another vendor's lease: 404
    today = city_today()
    account = lease_account(lease=lease, on=today)
    payments = (
        Payment.objects.filter(lease=lease).select_related("reversal").order_by("-paid_on", "-id")
    )
    warnings = WarningLetter.objects.filter(lease=lease).order_by("level")
    context = {
        "lease": lease,
        "today": today,
        "account": account,
        "owed": max(account.balance, 0),
        "bills": [
            {
                "bill": bill,
                "status": BILL_STATUS_LABELS[bill.status],
                "late": bill.unpaid > 0 and bill.due < today,
            }
            for bill in account.bills
        ],
        "payments": [
            {
                "payment": payment,
                "reversed": hasattr(payment, "reversal"),
                "receipt_url": reverse("payment-receipt", args=[payment.pk]),
            }
            for payment in payments
        ],
        "warnings": warnings,
        "virtual_account": virtual_account(lease.pk),
    }
    return render(request, "web/vendor/bills.html", context)
