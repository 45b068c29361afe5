"""The vendor's own record: what the service holds (the NIK only masked), and its edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.errors import Conflict
from outlets.services import vendor_update
from web.forms import errors_to_form
from web.forms.vendor import OUTSIDE_DEPOK, ProfileForm
from web.views.vendor._common import vendor_page

PROFILE_SAVED = _("Your profile is saved.")


def _initial(vendor) -> dict:
    return {
        "full_name": vendor.full_name,
        "phone": vendor.phone,
        "business_name": vendor.business_name,
        "product_category": vendor.product_category,
        "nib": vendor.nib,
        "wub_participant": vendor.wub_participant,
        "women_programme": vendor.women_programme,
        "home_kelurahan": vendor.home_kelurahan_id or OUTSIDE_DEPOK,
    }


@require_http_methods(["GET", "POST"])
@vendor_page
def profile(request):
    vendor = request.vendor
    form = ProfileForm(request.POST or None, initial=_initial(vendor))
    if request.method == "POST" and form.is_valid():
        try:
            vendor_update(vendor=vendor, user=request.user, data=form.service_data())
        except ValidationError as exc:
            errors_to_form(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, PROFILE_SAVED)
            return redirect("vendor:profile")
    status = 400 if form.errors else 200
    context = {"form": form, "vendor": vendor, "verified": _verified(vendor)}
    return render(request, "web/vendor/profile.html", context, status=status)


def _verified(vendor) -> set[str]:
    return set(vendor.claim_verifications.filter(revoked_at=None).values_list("claim", flat=True))
