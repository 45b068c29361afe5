"""What every admin action page shares: a write of a person's work on its own admin URL
(`<pk>/<name>/`), through its service, rendered by `admin/action_page.html`. The change of use's
steps (`assets_app/admin_decisions.py`) and an outlet manager's payments and warning letters
(`operations/admin_actions.py`) both build on these."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.errors import ApplicationError


def date_input() -> forms.DateInput:
    """The browser's own date picker, its value in ISO (which every DateField accepts)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def admin_url(model_admin, name: str, *args) -> str:
    """The address of one of `model_admin`'s pages ("change", or an action's name)."""
    opts = model_admin.model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{name}",
        args=args,
        current_app=model_admin.admin_site.name,
    )


def object_action_urls(model_admin, names, view) -> list:
    """An admin URL `<pk>/<name>/` for each action name, served by `view(request, object_id,
    name)` behind the admin's sign-in."""
    opts = model_admin.model._meta

    def wrapped(name):
        return model_admin.admin_site.admin_view(
            lambda request, object_id: view(request, object_id, name)
        )

    return [
        path(
            f"<path:object_id>/{name}/",
            wrapped(name),
            name=f"{opts.app_label}_{opts.model_name}_{name}",
        )
        for name in names
    ]


def refusal_text(exc: Exception, fallback) -> str:
    """A service's refusal (PermissionDenied, an ApplicationError such as Conflict) in words."""
    if isinstance(exc, ApplicationError):
        return str(exc.message)
    return str(exc) or str(fallback)


class ServiceErrorsForm(forms.Form):
    """A form whose inputs a service checks: `add_service_errors` puts each message of the
    service's ValidationError next to its field (`field_of_key` renames a service's key to the
    form's field; a key no field has goes to the form's own errors)."""

    field_of_key: dict[str, str] = {}

    def add_service_errors(self, exc: ValidationError) -> None:
        for key, messages_ in exc.message_dict.items():
            field = self.field_of_key.get(key, key)
            for message in messages_:
                self.add_error(field if field in self.fields else None, message)

    def required_names(self) -> set[str]:
        """Fields the page marks required beyond the form's own `required` ones."""
        return set()


def action_page(model_admin, request, obj, *, template: str, title, form, **context):
    """An action's page for `obj`: the admin's context, the form, and the way back."""
    opts = model_admin.model._meta
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "original": obj,
            "title": str(title),
            "subtitle": str(obj),
            "form": form,
            "required_names": form.required_names(),
            "change_url": admin_url(model_admin, "change", obj.pk),
            "submit_label": str(title),
            **context,
        },
    )
