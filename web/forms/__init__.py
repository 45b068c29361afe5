"""Django forms for the vendor portal. They check only types and shapes; every rule is the
domain services' (`errors_to_form` puts a service's ValidationError on the form's fields)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

# A service's field name where the form's differs.
FIELD_ALIASES = {"home_kelurahan_code": "home_kelurahan", "nik_value": "nik"}


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Each message of `exc` on the form field it names (else on the form as a whole)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, messages in exc.message_dict.items():
        name = FIELD_ALIASES.get(field, field)
        form.add_error(name if name in form.fields else None, messages)
