"""Reclassification (alih status penggunaan), four eyes throughout (Permendagri 19/2016).

The custodian agency's officer proposes with a reason and the assessment snapshot; an officer
of the managing agency, not the proposer, reviews it; an approver who is not the proposer
approves it with the mayor's decree (SK Wali Kota: number, date and the signed document
attached to the reclassification) and the hand-over record (BAST: number and date), or rejects
it with a note; approving a failing assessment needs an override reason; the proposer may
withdraw. Approval moves the asset to economic use (designated for an outlet), keeping its
previous use and facility type, moves custody to the agency that runs the outlets with a new
register number there, and re-assesses the neighbours it served. Each step is one transaction
under a row lock, recorded in the history with who and when.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets_app.agencies import (
    NO_OUTLETS_AGENCY,
    agency_write_check,
    asset_number,
    officer_agency,
    outlets_agency,
    unscoped,
)
from assets_app.assessment import ELIGIBLE_STATUSES
from assets_app.models import (
    AgencyKind,
    Asset,
    Reclassification,
    ReclassificationStatus,
    Status,
    Use,
)
from assets_app.repurposing import (
    Footprint,
    asset_assess,
    asset_assessment,
    assets_reassess_around,
)
from assets_app.services.register import FIELD_REQUIRED
from core.errors import Conflict

OPEN_PROPOSAL_EXISTS = _("This asset already has an open reclassification proposal.")
ASSET_NOT_ELIGIBLE = _(
    "The asset is already in economic use, designated for an outlet, an outlet or disposed."
)
NOT_OPEN = _("This reclassification is no longer open: it was {status}.")
PROPOSER_CANNOT_DECIDE = _(
    "Four eyes: the proposer of a reclassification cannot approve or reject it."
)
ONLY_PROPOSER_WITHDRAWS = _("Only the proposer can withdraw a reclassification proposal.")
ONLY_MANAGING_REVIEWS = _("Only an officer of the managing agency reviews a proposal.")
NOT_REVIEWED = _("The managing agency has not reviewed this proposal yet.")
DECREE_DOCUMENT_INVALID = _(
    "Document {id} is not a decree (PDF) attached to this reclassification."
)
OVERRIDE_REQUIRED = _(
    "The fresh assessment fails ({rules}); approving it needs an override_reason."
)


def reclassification_qs_select_for_update() -> QuerySet:
    return Reclassification.objects.select_for_update().order_by("pk")


def _required(field: str, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [str(FIELD_REQUIRED)]})
    return value


def _check_eligible(asset: Asset) -> None:
    # The assessment's own status rule: only an asset still in (or able to return to) service.
    if asset.use == Use.ECONOMIC or asset.status not in ELIGIBLE_STATUSES:
        raise Conflict(str(ASSET_NOT_ELIGIBLE))


OPEN_STATUSES = (ReclassificationStatus.PROPOSED, ReclassificationStatus.REVIEWED)


def _check_open(reclassification: Reclassification) -> None:
    if reclassification.status not in OPEN_STATUSES:
        raise Conflict(str(NOT_OPEN).format(status=reclassification.status))


def _check_four_eyes(reclassification: Reclassification, user: AbstractBaseUser) -> None:
    if reclassification.proposed_by_id == user.pk:
        raise PermissionDenied(str(PROPOSER_CANNOT_DECIDE))


@transaction.atomic
def reclassification_propose(
    *, asset: Asset, user: AbstractBaseUser, reason: str
) -> Reclassification:
    """Propose moving `asset` to economic use with the assessment snapshot; one open per asset."""
    reason = _required("reason", reason)
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    agency_write_check(user, asset.custodian_agency_id)  # the custodian agency proposes
    _check_eligible(asset)
    if Reclassification.objects.filter(asset=asset, status__in=OPEN_STATUSES).exists():
        raise Conflict(str(OPEN_PROPOSAL_EXISTS))
    snapshot = asset_assess(asset=asset)
    reclassification = Reclassification(
        asset=asset,
        reason=reason,
        assessment=snapshot,
        proposed_by=user,
        from_agency_id=asset.custodian_agency_id,
        previous_use=asset.use,
        previous_facility_type=asset.facility_type,
    )
    reclassification.full_clean()
    reclassification._history_user = user
    try:
        with transaction.atomic():
            reclassification.save()
    except IntegrityError:
        # Two proposals raced past the check; the partial unique constraint kept one.
        raise Conflict(str(OPEN_PROPOSAL_EXISTS)) from None
    return reclassification


@transaction.atomic
def reclassification_withdraw(
    *, reclassification: Reclassification, user: AbstractBaseUser, note: str = ""
) -> Reclassification:
    """The proposer takes back an open proposal."""
    reclassification = reclassification_qs_select_for_update().get(pk=reclassification.pk)
    if reclassification.proposed_by_id != user.pk:
        raise PermissionDenied(str(ONLY_PROPOSER_WITHDRAWS))
    _check_open(reclassification)
    reclassification.status = ReclassificationStatus.WITHDRAWN
    reclassification.decided_at = timezone.now()
    reclassification.decision_note = (note or "").strip()
    reclassification.full_clean()
    reclassification._history_user = user
    reclassification.save()
    return reclassification


@transaction.atomic
def reclassification_review(
    *, reclassification: Reclassification, user: AbstractBaseUser, note: str
) -> Reclassification:
    """An officer of the managing agency, not the proposer, reviews the proposal with a note."""
    reclassification = reclassification_qs_select_for_update().get(pk=reclassification.pk)
    agency = officer_agency(user)
    if not unscoped(user) and (agency is None or agency.kind != AgencyKind.MANAGING):
        raise PermissionDenied(str(ONLY_MANAGING_REVIEWS))
    _check_four_eyes(reclassification, user)
    if reclassification.status != ReclassificationStatus.PROPOSED:
        raise Conflict(str(NOT_OPEN).format(status=reclassification.status))
    reclassification.review_note = _required("note", note)
    reclassification.status = ReclassificationStatus.REVIEWED
    reclassification.reviewed_by = user
    reclassification.reviewed_at = timezone.now()
    reclassification.full_clean()
    reclassification._history_user = user
    reclassification.save()
    return reclassification


@transaction.atomic
def reclassification_reject(
    *, reclassification: Reclassification, user: AbstractBaseUser, note: str
) -> Reclassification:
    """An approver other than the proposer turns the proposal down."""
    reclassification = reclassification_qs_select_for_update().get(pk=reclassification.pk)
    _check_four_eyes(reclassification, user)
    _check_open(reclassification)
    note = _required("note", note)
    reclassification.status = ReclassificationStatus.REJECTED
    reclassification.decided_by = user
    reclassification.decided_at = timezone.now()
    reclassification.decision_note = note
    reclassification.full_clean()
    reclassification._history_user = user
    reclassification.save()
    return reclassification


@transaction.atomic
def reclassification_approve(
    *,
    reclassification: Reclassification,
    user: AbstractBaseUser,
    note: str,
    decree_number: str = "",
    decree_date: date | None = None,
    decree_document: int | None = None,
    handover_number: str = "",
    handover_date: date | None = None,
    override_reason: str = "",
) -> Reclassification:
    """An approver other than the proposer moves the asset to economic use, on the mayor's
    decree, into the custody of the agency that runs the outlets.

    The assessment is computed fresh; if it fails, `override_reason` is required. The asset
    keeps its previous use and facility type, and the neighbours it served are re-assessed.
    """
    reclassification = reclassification_qs_select_for_update().get(pk=reclassification.pk)
    _check_four_eyes(reclassification, user)
    _check_open(reclassification)
    if reclassification.status != ReclassificationStatus.REVIEWED:
        raise Conflict(str(NOT_REVIEWED))
    errors: dict[str, list[str]] = {}
    for field, value in (
        ("note", note),
        ("decree_number", decree_number),
        ("decree_date", decree_date),
        ("decree_document", decree_document),
        ("handover_number", handover_number),
        ("handover_date", handover_date),
    ):
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = [str(FIELD_REQUIRED)]
    if decree_document is not None and not _decree_document_ok(reclassification, decree_document):
        errors["decree_document"] = [str(DECREE_DOCUMENT_INVALID).format(id=decree_document)]
    if errors:
        raise ValidationError(errors)
    note = note.strip()
    receiver = outlets_agency()
    if receiver is None:
        raise Conflict(str(NO_OUTLETS_AGENCY))
    override_reason = (override_reason or "").strip()
    asset = Asset.objects.select_for_update().get(pk=reclassification.asset_id)
    _check_eligible(asset)
    fresh = asset_assessment(asset=asset)
    if not fresh["repurposable"] and not override_reason:
        failed = ", ".join(c["rule"] for c in fresh["checks"] if not c["passed"])
        raise ValidationError({"override_reason": [str(OVERRIDE_REQUIRED).format(rules=failed)]})

    previous = Footprint.of(asset)
    now = timezone.now()
    reclassification.status = ReclassificationStatus.APPROVED
    reclassification.decided_by = user
    reclassification.decided_at = now
    reclassification.decision_note = note
    reclassification.decision_assessment = fresh
    reclassification.override_reason = override_reason
    reclassification.decree_number = decree_number.strip()
    reclassification.decree_date = decree_date
    reclassification.handover_number = handover_number.strip()
    reclassification.handover_date = handover_date
    reclassification.from_agency_id = asset.custodian_agency_id
    reclassification.to_agency_id = receiver.code
    reclassification.previous_use = asset.use
    reclassification.previous_facility_type = asset.facility_type
    reclassification.full_clean()
    reclassification._history_user = user
    reclassification.save()

    asset.previous_use = asset.use
    asset.previous_facility_type = asset.facility_type
    asset.use = Use.ECONOMIC
    asset.facility_type = ""
    asset.status = Status.DESIGNATED_ECONOMIC
    if asset.custodian_agency_id != receiver.code:
        asset.custodian_agency_id = receiver.code  # alih status penggunaan
        asset_number(asset)
    asset.full_clean()
    asset._history_user = user
    asset.save()
    assets_reassess_around(asset=asset, previous=previous)
    return reclassification


def _decree_document_ok(reclassification: Reclassification, document_id: int) -> bool:
    # documents builds on assets_app, not the other way round: its model is looked up late.
    from documents.models import ContentType, Document, DocumentKind

    return Document.objects.filter(
        pk=document_id,
        reclassification=reclassification,
        kind=DocumentKind.DECREE,
        content_type=ContentType.PDF,
    ).exists()
