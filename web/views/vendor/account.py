"""Registration and the password reset by a one-time code (for vendors without e-mail)."""

from __future__ import annotations

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from api.throttles import PASSWORD_RESET_SCOPE
from core.reset_codes import reset_code_redeem
from outlets.services import vendor_register
from web.forms import errors_to_form
from web.forms.vendor import RegisterForm, ResetCodeForm
from web.views.vendor._common import REGISTER_SCOPE, address_throttled


@require_http_methods(["GET", "POST"])
@address_throttled(REGISTER_SCOPE)
def register(request):
    if request.user.is_authenticated and hasattr(request.user, "vendor"):
        return redirect("vendor:home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vendor, _token = vendor_register(
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                nik_value=data["nik"],
                phone=data["phone"],
                email=data["email"],
                business_name=data["business_name"],
                product_category=data["product_category"],
                wub_participant=data["wub_participant"],
                women_programme=data["women_programme"],
                home_kelurahan_code=form.domicile_code(),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            login(request, vendor.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("vendor:home")
    status = 400 if form.errors else 200
    return render(request, "web/vendor/register.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@address_throttled(PASSWORD_RESET_SCOPE)
def reset_with_code(request):
    form = ResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reset_code_redeem(
                username=data["username"], code=data["code"], password=data["password"]
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return render(request, "web/vendor/reset_done.html")
    status = 400 if form.errors else 200
    return render(request, "web/vendor/reset_code.html", {"form": form}, status=status)
