"""Registration, profile and password-reset-code forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from geodata.models import District, DistrictLevel
from outlets.choices import ProductCategory

OUTSIDE_DEPOK = "outside"
DOMICILE_REQUIRED = _("Choose the kelurahan of the address on your KTP, or outside Kota Depok.")
PASSWORDS_DIFFER = _("The two passwords differ.")
DOMICILE_HELP = _(
    "As written on your KTP. The programmes are for residents of Kota Depok, whatever region "
    "your NIK was first issued in."
)


def kelurahan_choices() -> list[tuple[str, str]]:
    rows = District.objects.filter(
        level=DistrictLevel.KELURAHAN, code__startswith="32.76."
    ).values_list("code", "name", "parent__name")
    options = sorted(
        ((code, f"{name} (Kec. {kecamatan})") for code, name, kecamatan in rows),
        key=lambda option: option[1],
    )
    return [("", _("Choose…")), *options, (OUTSIDE_DEPOK, _("Outside Kota Depok"))]


class _DomicileMixin:
    def domicile_code(self) -> str | None:
        value = self.cleaned_data.get("home_kelurahan")
        return None if value in (None, "", OUTSIDE_DEPOK) else value


def _text(label, *, max_length, required=True, autocomplete=None, **attrs) -> forms.CharField:
    widget_attrs = dict(attrs)
    if autocomplete:
        widget_attrs["autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=widget_attrs),
    )


class RegisterForm(_DomicileMixin, forms.Form):
    username = _text(_("Username"), max_length=150, autocomplete="username")
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    full_name = _text(_("Full name (as on the KTP)"), max_length=200, autocomplete="name")
    nik = _text(
        _("NIK"), max_length=16, autocomplete="off", inputmode="numeric", pattern="[0-9]{16}"
    )
    phone = _text(_("Phone (for SMS or WhatsApp)"), max_length=20, autocomplete="tel", type="tel")
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    business_name = _text(_("Business name"), max_length=200)
    product_category = forms.ChoiceField(
        label=_("Product category"), choices=[("", _("Choose…")), *ProductCategory.choices]
    )
    wub_participant = forms.BooleanField(
        label=_("I take part in Wira Usaha Baru (WUB)"), required=False
    )
    women_programme = forms.BooleanField(
        label=_("I take part in the women-entrepreneur programme"), required=False
    )
    home_kelurahan = forms.ChoiceField(
        label=_("Kelurahan of the address on your KTP"), help_text=DOMICILE_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_kelurahan"].choices = kelurahan_choices()
        self.fields["home_kelurahan"].error_messages["required"] = DOMICILE_REQUIRED

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", PASSWORDS_DIFFER)
        return data


class ProfileForm(_DomicileMixin, forms.Form):
    full_name = RegisterForm.base_fields["full_name"]
    phone = RegisterForm.base_fields["phone"]
    business_name = RegisterForm.base_fields["business_name"]
    product_category = RegisterForm.base_fields["product_category"]
    nib = _text(_("NIB (optional)"), max_length=13, required=False, inputmode="numeric")
    wub_participant = RegisterForm.base_fields["wub_participant"]
    women_programme = RegisterForm.base_fields["women_programme"]
    home_kelurahan = forms.ChoiceField(
        label=_("Kelurahan of the address on your KTP"), help_text=DOMICILE_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_kelurahan"].choices = kelurahan_choices()
        self.fields["home_kelurahan"].error_messages["required"] = DOMICILE_REQUIRED

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "home_kelurahan"}
        data["home_kelurahan_code"] = self.domicile_code()
        return data


class ResetCodeForm(forms.Form):
    username = _text(_("Username"), max_length=150, autocomplete="username")
    code = _text(
        _("Code from the outlet manager"),
        max_length=8,
        autocomplete="one-time-code",
        inputmode="numeric",
    )
    password = forms.CharField(
        label=_("New password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = RegisterForm.base_fields["password2"]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", PASSWORDS_DIFFER)
        return data
