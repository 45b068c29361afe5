"""An outlet manager's daily writes in the admin: on a lease's page, record a payment and issue
the next warning letter; on a payment's page, reverse it; on a warning's page, mark it resolved.

Each is a form on its own admin URL (POST with CSRF) that calls the service of
`operations.services.billing` or `operations.services.enforcement`; nothing here writes a model,
and the pages stay read-only otherwise. Only a manager of the lease's outlet sees the links
and may open a form (`action_refusal`, the rule the services apply: anyone else gets 403); a
POST is checked by the service again. A service's ValidationError shows next to its field;
PermissionDenied and Conflict show as the admin's error message, with nothing written.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_actions import (
    ServiceErrorsForm,
    action_page,
    admin_url,
    date_input,
    object_action_urls,
    refusal_text,
)
from core.errors import ApplicationError
from core.roles import OUTLET_MANAGER, has_role
from operations.choices import BILL_STATUS_LABELS, WarningReason
from operations.models import Payment, WarningLetter
from operations.services import billing, enforcement
from operations.services._common import require_lease_managed
from outlets.nik import city_today

NOT_YOUR_OUTLET = _("Only a manager of this lease's outlet may do this.")
ALREADY_REVERSED = billing.ALREADY_REVERSED
ALREADY_RESOLVED = enforcement.ALREADY_RESOLVED

# The days a form accepts, as over the API (api/operations/serializers.py `Day`).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=date_input(),
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
        **kwargs,
    )


class ActionForm(ServiceErrorsForm):
    """The services decide what else is wrong; their errors show next to their fields."""


class PaymentForm(ActionForm):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        help_text=_("The transfer's reference, or the number of the cash book entry."),
    )
    amount = forms.DecimalField(
        label=_("Amount (IDR)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "required": True}),
    )
    paid_on = _date_field(_("Paid on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = city_today


class WarningForm(ActionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=WarningReason.choices)
    detail = forms.CharField(
        label=_("Detail"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    issued_on = _date_field(_("Issued on"))
    deadline = _date_field(_("Deadline"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = city_today


class ReverseForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
    )


class ResolveForm(ActionForm):
    on = _date_field(_("Resolved on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = city_today


# --- the actions ----------------------------------------------------------------------------


def _record_payment(lease, user, data: dict) -> str:
    payment = billing.payment_record(
        lease=lease,
        user=user,
        reference=data["reference"],
        amount=data["amount"],
        paid_on=data["paid_on"],
    )
    return format_html(
        '{} <a href="{}">{}</a>',
        gettext("Payment recorded: receipt {number}.").format(number=payment.receipt_number),
        reverse("payment-receipt", args=[payment.pk]),
        gettext("The receipt (PDF)"),
    )


def _issue_warning(lease, user, data: dict) -> str:
    letter = enforcement.warning_issue(
        lease=lease,
        user=user,
        reason=data["reason"],
        detail=data["detail"],
        issued_on=data["issued_on"],
        deadline=data["deadline"],
    )
    return gettext("SP{level} issued; its deadline is {deadline}.").format(
        level=letter.level, deadline=letter.deadline.isoformat()
    )


def _reverse_payment(payment, user, data: dict) -> str:
    billing.payment_reverse(payment=payment, user=user, reason=data["reason"])
    return gettext("Payment {number} reversed: it counts for nothing now.").format(
        number=payment.receipt_number
    )


def _resolve_warning(warning, user, data: dict) -> str:
    warning = enforcement.warning_resolve(warning=warning, user=user, on=data["on"])
    return gettext("SP{level} marked resolved on {day}.").format(
        level=warning.level, day=warning.resolved_on.isoformat()
    )


def _lease(obj):
    return obj


def _lease_of(obj):
    return obj.lease


class Action:
    def __init__(self, name, *, title, form, take, lease_of, closed=None):
        self.name = name
        self.title = title
        self.form = form
        self.take = take
        self.lease_of = lease_of
        self.closed = closed  # why the object is past this action, or None


def _payment_closed(payment: Payment):
    return ALREADY_REVERSED if hasattr(payment, "reversal") else None


def _warning_closed(warning: WarningLetter):
    return ALREADY_RESOLVED if warning.resolved_on is not None else None


ACTIONS = {
    "lease": (
        Action(
            "payment",
            title=_("Record a payment"),
            form=PaymentForm,
            take=_record_payment,
            lease_of=_lease,
        ),
        Action(
            "warning",
            title=_("Issue a warning letter"),
            form=WarningForm,
            take=_issue_warning,
            lease_of=_lease,
        ),
    ),
    "payment": (
        Action(
            "reverse",
            title=_("Reverse this payment"),
            form=ReverseForm,
            take=_reverse_payment,
            lease_of=_lease_of,
            closed=_payment_closed,
        ),
    ),
    "warningletter": (
        Action(
            "resolve",
            title=_("Mark resolved"),
            form=ResolveForm,
            take=_resolve_warning,
            lease_of=_lease_of,
            closed=_warning_closed,
        ),
    ),
}


# --- who may act ----------------------------------------------------------------------------


def action_refusal(user, lease) -> str | None:
    """Why `user` may not write to `lease` here, or None: an outlet manager of its own outlet
    (`require_lease_managed`, which the services check again) is the only one who may."""
    if not has_role(user, OUTLET_MANAGER):
        return str(NOT_YOUR_OUTLET)
    try:
        require_lease_managed(user, lease)
    except PermissionDenied:
        return str(NOT_YOUR_OUTLET)
    return None


def action_links(model_admin, request, obj) -> list[dict]:
    """The forms the signed-in user may open on `obj`'s page now."""
    if obj is None:
        return []
    actions = ACTIONS[model_admin.model._meta.model_name]
    if action_refusal(request.user, actions[0].lease_of(obj)) is not None:
        return []
    return [
        {
            "name": action.name,
            "title": action.title,
            "url": admin_url(model_admin, action.name, obj.pk),
        }
        for action in actions
        if action.closed is None or action.closed(obj) is None
    ]


def action_urls(model_admin) -> list:
    """The admin URLs of the model's actions: `<pk>/<action>/`."""
    actions = {action.name: action for action in ACTIONS[model_admin.model._meta.model_name]}

    def view(request, object_id, name):
        return action_view(model_admin, request, object_id, actions[name])

    return object_action_urls(model_admin, list(actions), view)


def action_view(model_admin, request, object_id: str, action: Action):
    """GET: the action's form, for a manager of the lease's outlet; POST: take it through the
    service and land back on the object's page with what happened."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404
    if not model_admin.has_view_permission(request, obj):
        raise PermissionDenied
    lease = action.lease_of(obj)
    refusal = action_refusal(request.user, lease)
    if refusal is not None:
        raise PermissionDenied(refusal)
    change_url = admin_url(model_admin, "change", obj.pk)
    closed = action.closed(obj) if action.closed else None
    if closed is not None:
        messages.error(request, str(closed))
        return redirect(change_url)
    if request.method == "POST":
        form = action.form(request.POST)
        if form.is_valid():
            try:
                done = action.take(obj, request.user, form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except (PermissionDenied, ApplicationError) as exc:
                messages.error(request, refusal_text(exc, NOT_YOUR_OUTLET))
                return redirect(change_url)
            else:
                messages.success(request, done)
                return redirect(change_url)
    else:
        form = action.form()
    return action_page(
        model_admin,
        request,
        obj,
        template="admin/operations/action_form.html",
        title=action.title,
        form=form,
        lease=lease,
        action=action.name,
    )


# --- the lease's account --------------------------------------------------------------------


def account_summary(lease) -> dict:
    """The lease's account today in Depok: the balance owed and each bill as settled, in rupiah."""
    from outlets.admin import rupiah

    account = billing.lease_account(lease=lease)
    return {
        "balance": rupiah(account.balance),
        "owes": account.balance > 0,
        "credit": rupiah(account.credit) if account.credit > 0 else None,
        "bills": [
            {
                "period_start": bill.period_start,
                "due": bill.due,
                "amount": rupiah(bill.amount),
                "paid": rupiah(bill.paid),
                "status": BILL_STATUS_LABELS[bill.status],
            }
            for bill in account.bills
        ],
    }
