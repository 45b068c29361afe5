"""The decision trail of a change of use (pengalihan status penggunaan) in the admin.

Each step is a form on its own admin URL: on a reclassification's page, review, approve,
reject and withdraw; on an asset's page, propose. Every form calls the service of
`assets_app.services.reclassification`, which checks four eyes, the state and the assessment
under a row lock; nothing here writes a model. The pages only offer the steps the signed-in
user may take now (`decision_refusal` says why not, in the services' own words), and a POST is
checked by the service again.

Approving stores the uploaded decree with `documents.services.document_attach` and approves in
one transaction: a refused approval leaves no Document row, and its stored file is removed.
A service's ValidationError shows next to its field; PermissionDenied and Conflict show as the
admin's error message, with nothing written.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assets_app.agencies import officer_agency, unscoped
from assets_app.models import AgencyKind, Reclassification, ReclassificationStatus
from assets_app.repurposing import asset_assessment
from assets_app.services import (
    reclassification_approve,
    reclassification_propose,
    reclassification_reject,
    reclassification_review,
    reclassification_withdraw,
)
from assets_app.services.reclassification import (
    ASSET_NOT_ELIGIBLE,
    NOT_OPEN,
    NOT_REVIEWED,
    ONLY_MANAGING_REVIEWS,
    ONLY_PROPOSER_WITHDRAWS,
    OPEN_PROPOSAL_EXISTS,
    OPEN_STATUSES,
    PROPOSER_CANNOT_DECIDE,
    _check_eligible,
)
from core.admin_actions import (
    ServiceErrorsForm,
    action_page,
    admin_url,
    date_input,
    refusal_text,
)
from core.errors import ApplicationError
from core.roles import ASSET_APPROVER, ASSET_OFFICER, has_role

logger = logging.getLogger(__name__)

ROLE_MAY_NOT = _("Your role may not take this step.")

# The roles each step needs, as over the API (api/repurposing/views.py).
STEP_ROLES = {
    "review": (ASSET_OFFICER,),
    "approve": (ASSET_APPROVER,),
    "reject": (ASSET_APPROVER,),
    "withdraw": (ASSET_OFFICER,),
}
STEPS = tuple(STEP_ROLES)
STEP_TITLES = {
    "review": _("Review the proposal"),
    "approve": _("Approve the change of use"),
    "reject": _("Reject the proposal"),
    "withdraw": _("Withdraw the proposal"),
}
STEP_DONE = {
    "review": _("The proposal was reviewed."),
    "approve": _(
        "The change of use was approved: the asset is now in the outlets agency's custody."
    ),
    "reject": _("The proposal was rejected."),
    "withdraw": _("The proposal was withdrawn."),
}
PROPOSED = _("The change of use was proposed; the managing agency reviews it next.")

# A service's error keys that are not the form's own field names.
FIELD_OF_KEY = {"decree_document": "decree_file", "file": "decree_file"}


class StepForm(ServiceErrorsForm):
    """The services decide what is required; `service_required` only marks those fields on the
    page (the label's asterisk, the browser's own check) so that every refusal, a missing field
    included, has one source and the same words as over the API."""

    service_required: tuple[str, ...] = ()
    field_of_key = FIELD_OF_KEY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.service_required:
            if name in self.fields:
                self.fields[name].widget.attrs["required"] = True

    def required_names(self) -> set[str]:
        return {name for name in self.service_required if name in self.fields}


class NoteForm(StepForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    service_required = ("note",)


class WithdrawForm(NoteForm):
    service_required = ()


class ApproveForm(StepForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decree_number = forms.CharField(
        label=_("Decree number (SK Wali Kota)"), required=False, max_length=100
    )
    decree_date = forms.DateField(label=_("Decree date"), required=False, widget=date_input())
    decree_file = forms.FileField(
        label=_("Signed decree (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    handover_number = forms.CharField(
        label=_("Hand-over record number (BAST)"), required=False, max_length=100
    )
    handover_date = forms.DateField(
        label=_("Hand-over record date"), required=False, widget=date_input()
    )
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The fresh assessment fails: say why the city approves it all the same."),
    )
    service_required = (
        "note",
        "decree_number",
        "decree_date",
        "decree_file",
        "handover_number",
        "handover_date",
        "override_reason",
    )

    def __init__(self, *args, needs_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_override:
            del self.fields["override_reason"]


class ProposeForm(StepForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    service_required = ("reason",)


STEP_FORMS = {
    "review": NoteForm,
    "approve": ApproveForm,
    "reject": NoteForm,
    "withdraw": WithdrawForm,
}


# --- who may take which step ----------------------------------------------------------------


def decision_refusal(user, reclassification: Reclassification, step: str) -> str | None:
    """Why `user` may not take `step` on `reclassification` now, or None if she may. The same
    rules as the services (which check them again under the row lock)."""
    if not has_role(user, *STEP_ROLES[step]):
        return str(ROLE_MAY_NOT)
    status = reclassification.status
    closed = str(NOT_OPEN).format(status=reclassification.get_status_display())
    is_proposer = reclassification.proposed_by_id == user.pk
    if step == "withdraw":
        if not is_proposer:
            return str(ONLY_PROPOSER_WITHDRAWS)
        return None if status in OPEN_STATUSES else closed
    if is_proposer:
        return str(PROPOSER_CANNOT_DECIDE)
    if step == "review":
        agency = officer_agency(user)
        if not unscoped(user) and (agency is None or agency.kind != AgencyKind.MANAGING):
            return str(ONLY_MANAGING_REVIEWS)
        return None if status == ReclassificationStatus.PROPOSED else closed
    if status not in OPEN_STATUSES:
        return closed
    if step == "approve" and status != ReclassificationStatus.REVIEWED:
        return str(NOT_REVIEWED)
    return None


def decision_steps(user, reclassification: Reclassification) -> list[str]:
    """The steps `user` may take on `reclassification` now."""
    return [step for step in STEPS if decision_refusal(user, reclassification, step) is None]


def proposal_refusal(user, asset, may_write: bool) -> str | None:
    """Why `user` may not propose a change of use of `asset` now, or None."""
    if not has_role(user, ASSET_OFFICER) or not may_write:
        return str(ROLE_MAY_NOT)
    try:
        _check_eligible(asset)
    except ApplicationError:
        return str(ASSET_NOT_ELIGIBLE)
    if open_reclassification(asset) is not None:
        return str(OPEN_PROPOSAL_EXISTS)
    return None


def open_reclassification(asset) -> Reclassification | None:
    return (
        Reclassification.objects.filter(asset=asset, status__in=OPEN_STATUSES)
        .order_by("pk")
        .first()
    )


# --- the assessment in words ----------------------------------------------------------------


def assessment_summary(asset) -> dict:
    """The asset's assessment as it stands now: the verdict and each failing rule in words."""
    result = asset_assessment(asset=asset)
    return {
        "repurposable": bool(result["repurposable"]),
        "failing": [check["detail"] for check in result["checks"] if not check["passed"]],
    }


def snapshot_in_words(snapshot: dict | None):
    """A stored assessment (a proposal's, a decision's) as the page shows it: the verdict, then
    each failing rule's detail; a dash for none."""
    if not snapshot:
        return "—"
    if snapshot.get("repurposable"):
        return gettext("The asset may be repurposed: every rule passes.")
    failing = [c.get("detail", "") for c in snapshot.get("checks", []) if not c.get("passed")]
    return format_html(
        "{}<ul>{}</ul>",
        gettext("The asset fails the assessment:"),
        format_html_join("", "<li>{}</li>", ((detail,) for detail in failing)),
    )


# --- the steps ------------------------------------------------------------------------------


def _approve(reclassification, user, data: dict) -> None:
    """Attach the decree and approve in one transaction; on a refusal the Document row is rolled
    back and its stored file removed."""
    document = None
    try:
        with transaction.atomic():
            upload = data.get("decree_file")
            if upload:
                from documents.models import DocumentKind
                from documents.services import document_attach

                document = document_attach(
                    user=user,
                    upload=upload,
                    kind=DocumentKind.DECREE,
                    title=(data.get("decree_number") or "")[:200],
                    reclassification=reclassification,
                )
            reclassification_approve(
                reclassification=reclassification,
                user=user,
                note=data.get("note", ""),
                decree_number=data.get("decree_number", ""),
                decree_date=data.get("decree_date"),
                decree_document=document.pk if document is not None else None,
                handover_number=data.get("handover_number", ""),
                handover_date=data.get("handover_date"),
                override_reason=data.get("override_reason", ""),
            )
    except BaseException:
        if document is not None and document.file.name:
            _forget_file(document.file.storage, document.file.name)
        raise


def _forget_file(storage, name: str) -> None:
    """Remove a stored decree whose Document row was rolled back; a failure here is logged and
    never hides the refusal that caused it."""
    from documents.models import Document

    try:
        if not Document.objects.filter(file=name).exists():
            storage.delete(name)
    except Exception:
        logger.exception("could not remove the stored file of a refused approval")


def _take(step: str, reclassification, user, data: dict) -> None:
    if step == "approve":
        _approve(reclassification, user, data)
        return
    service = {
        "review": reclassification_review,
        "reject": reclassification_reject,
        "withdraw": reclassification_withdraw,
    }[step]
    service(reclassification=reclassification, user=user, note=data.get("note", ""))


def decision_view(model_admin, request, object_id: str, step: str):
    """GET: the step's form, if the user may take it; POST: take it through the service."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    reclassification = model_admin.get_object(request, unquote(object_id))
    if reclassification is None:
        raise Http404
    user = request.user
    if not model_admin.has_view_permission(request, reclassification):
        raise PermissionDenied
    if not has_role(user, *STEP_ROLES[step]):
        raise PermissionDenied(str(ROLE_MAY_NOT))
    change_url = admin_url(model_admin, "change", reclassification.pk)
    refusal = decision_refusal(user, reclassification, step)
    if refusal is not None and request.method != "POST":
        messages.error(request, refusal)
        return redirect(change_url)
    summary = assessment_summary(reclassification.asset) if step == "approve" else None
    kwargs = {"needs_override": not summary["repurposable"]} if summary else {}
    form_class = STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                _take(step, reclassification, user, form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except (PermissionDenied, ApplicationError) as exc:
                messages.error(request, refusal_text(exc, ROLE_MAY_NOT))
                return redirect(change_url)
            else:
                messages.success(request, str(STEP_DONE[step]))
                return redirect(change_url)
    else:
        form = form_class(**kwargs)
    return action_page(
        model_admin,
        request,
        reclassification,
        template="admin/assets_app/reclassification/decision_form.html",
        title=STEP_TITLES[step],
        form=form,
        step=step,
        reclassification=reclassification,
        assessment=summary,
        multipart=step == "approve",
    )


def propose_view(model_admin, request, object_id: str):
    """An officer who may write the asset proposes its change of use with a reason."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    asset = model_admin.get_object(request, unquote(object_id))
    if asset is None:
        raise Http404
    user = request.user
    may_write = model_admin.has_change_permission(request, asset)
    if not has_role(user, ASSET_OFFICER) or not may_write:
        raise PermissionDenied(str(ROLE_MAY_NOT))
    change_url = admin_url(model_admin, "change", asset.pk)
    refusal = proposal_refusal(user, asset, may_write)
    if refusal is not None and request.method != "POST":
        messages.error(request, refusal)
        return redirect(change_url)
    if request.method == "POST":
        form = ProposeForm(request.POST)
        if form.is_valid():
            try:
                reclassification = reclassification_propose(
                    asset=asset, user=user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except (PermissionDenied, ApplicationError) as exc:
                messages.error(request, refusal_text(exc, ROLE_MAY_NOT))
                return redirect(change_url)
            else:
                messages.success(request, str(PROPOSED))
                return redirect(
                    reverse(
                        "admin:assets_app_reclassification_change",
                        args=[reclassification.pk],
                        current_app=model_admin.admin_site.name,
                    )
                )
    else:
        form = ProposeForm()
    return action_page(
        model_admin,
        request,
        asset,
        template="admin/assets_app/asset/propose_form.html",
        title=gettext("Propose a change of use"),
        form=form,
        asset=asset,
        assessment=assessment_summary(asset),
        multipart=False,
    )
