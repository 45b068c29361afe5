"""Writes of issue 19: objections before the draw, appeals after it, their decisions, and the
round's publication at allocation.

An objection may be raised by the applicant while the round is closed and its objection period
(`objection_days` after closing) runs; allocation refuses to run while the period runs or any
objection is open (`objection_gate`, 409). An appeal may be raised within `appeal_days` of the
allocation. A manager of the round decides each, upheld or rejected, with a reason. Upholding an
objection to an unverified claim the vendor makes verifies it (the manager checked it in
deciding). An upheld appeal takes no stall from anyone: the vendor gets the first stall falling
vacant in a group she ranked above her outcome, before the waitlist
(`fairness.selectors.remedy_claimant`).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from fairness import publication
from fairness.models import Appeal, Decision, Objection, RoundPublication
from outlets import allocation
from outlets.models import (
    AllocationRound,
    Application,
    ApplicationStatus,
    ClaimVerification,
    RoundStatus,
)
from outlets.services.outlet_stalls import require_round_managed
from outlets.services.vendors import vendor_claimed, vendor_for_user

NOT_YOUR_APPLICATION = _("This is not your application.")
OBJECTION_PERIOD_CLOSED = _(
    "Objections can be raised only while the round's objection period runs."
)
OBJECTION_EXISTS = _("You already have an open objection to this fact.")
OBJECTIONS_OPEN = _("The round has open objections: decide them before allocating.")
OBJECTION_PERIOD_RUNNING = _("The round's objection period has not ended yet.")
APPEAL_PERIOD_CLOSED = _("Appeals can be raised only within the round's appeal period.")
APPEAL_EXISTS = _("You have already appealed this result.")
APPEAL_NOT_ALLOCATED = _("Only an allocated application can be appealed.")
ALREADY_DECIDED = _("This has already been decided.")
DECISION_INVALID = _("Decide with upheld or rejected.")
REASON_REQUIRED = _("Give the reason for the decision.")
STATEMENT_REQUIRED = _("Say what is wrong.")
UPHELD_VERIFICATION = "Objection {id} upheld: {reason}"


def objection_deadline(round_: AllocationRound):
    if round_.closed_at is None:
        return None
    return round_.closed_at + timedelta(days=round_.objection_days)


def appeal_deadline(round_: AllocationRound):
    if round_.allocated_at is None:
        return None
    return round_.allocated_at + timedelta(days=round_.appeal_days)


def objection_gate(round_: AllocationRound) -> None:
    """409 while the round's objection period runs or any of its objections is open."""
    deadline = objection_deadline(round_)
    if deadline is not None and timezone.now() < deadline:
        raise Conflict(str(OBJECTION_PERIOD_RUNNING))
    if Objection.objects.filter(application__round=round_, status=Decision.OPEN).exists():
        raise Conflict(str(OBJECTIONS_OPEN))


def _own_application(user: AbstractBaseUser, application: Application) -> Application:
    vendor = vendor_for_user(user)
    application = (
        Application.objects.select_for_update().select_related("round").get(pk=application.pk)
    )
    if application.vendor_id != vendor.pk:
        raise PermissionDenied(str(NOT_YOUR_APPLICATION))
    return application


def _statement(statement) -> str:
    text = (statement or "").strip()
    if not text:
        raise ValidationError({"statement": [STATEMENT_REQUIRED]})
    return text


@transaction.atomic
def objection_create(
    *, user: AbstractBaseUser, application: Application, fact: str, statement: str
) -> Objection:
    """The applicant objects to a fact the round will use about her, within the period."""
    application = _own_application(user, application)
    text = _statement(statement)
    round_ = AllocationRound.objects.select_for_update().get(pk=application.round_id)
    deadline = objection_deadline(round_)
    if (
        round_.status != RoundStatus.CLOSED
        or application.status != ApplicationStatus.SUBMITTED
        or deadline is None
        or timezone.now() >= deadline
    ):
        raise Conflict(str(OBJECTION_PERIOD_CLOSED))
    if Objection.objects.filter(application=application, fact=fact, status=Decision.OPEN).exists():
        raise Conflict(str(OBJECTION_EXISTS))
    objection = Objection(application=application, fact=fact, statement=text)
    objection._history_user = user
    objection.save()
    return objection


def _decided(item, *, user: AbstractBaseUser, decision: str, reason: str):
    if decision not in (Decision.UPHELD, Decision.REJECTED):
        raise ValidationError({"decision": [DECISION_INVALID]})
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    if item.status != Decision.OPEN:
        raise Conflict(str(ALREADY_DECIDED))
    item.status = decision
    item.decision_reason = text
    item.decided_by = user
    item.decided_at = timezone.now()
    item._history_user = user
    item.save()
    return item


@transaction.atomic
def objection_decide(
    *, user: AbstractBaseUser, objection: Objection, decision: str, reason: str
) -> Objection:
    """A manager of the round decides; upholding verifies the claim if it is made and unchecked."""
    objection = (
        Objection.objects.select_for_update()
        .select_related("application__round", "application__vendor")
        .get(pk=objection.pk)
    )
    require_round_managed(user, objection.application.round)
    objection = _decided(objection, user=user, decision=decision, reason=reason)
    vendor = objection.application.vendor
    if (
        decision == Decision.UPHELD
        and vendor_claimed(vendor).get(objection.fact)
        and not ClaimVerification.objects.filter(
            vendor=vendor, claim=objection.fact, revoked_at=None
        ).exists()
    ):
        verification = ClaimVerification(
            vendor=vendor,
            claim=objection.fact,
            reason=UPHELD_VERIFICATION.format(id=objection.pk, reason=objection.decision_reason),
            verified_by=user,
            verified_at=objection.decided_at,
        )
        verification._history_user = user
        verification.save()
    return objection


@transaction.atomic
def appeal_create(*, user: AbstractBaseUser, application: Application, statement: str) -> Appeal:
    """The applicant appeals the result for her application, within the appeal period."""
    application = _own_application(user, application)
    text = _statement(statement)
    if application.status not in (ApplicationStatus.ASSIGNED, ApplicationStatus.UNASSIGNED):
        raise Conflict(str(APPEAL_NOT_ALLOCATED))
    deadline = appeal_deadline(application.round)
    if deadline is None or timezone.now() >= deadline:
        raise Conflict(str(APPEAL_PERIOD_CLOSED))
    if Appeal.objects.filter(application=application).exists():
        raise Conflict(str(APPEAL_EXISTS))
    appeal = Appeal(application=application, statement=text)
    appeal._history_user = user
    appeal.save()
    return appeal


@transaction.atomic
def appeal_decide(*, user: AbstractBaseUser, appeal: Appeal, decision: str, reason: str) -> Appeal:
    appeal = (
        Appeal.objects.select_for_update().select_related("application__round").get(pk=appeal.pk)
    )
    require_round_managed(user, appeal.application.round)
    return _decided(appeal, user=user, decision=decision, reason=reason)


def round_publish(
    *,
    round_: AllocationRound,
    groups: list[allocation.Group],
    applicants: list[allocation.Applicant],
    params: allocation.Params,
    result: allocation.AllocationResult,
    penalised: set[int],
) -> RoundPublication:
    """Store the round's verification file (inside the allocation's transaction)."""
    part = publication.build_input(
        round_id=round_.pk,
        seed_commitment=round_.seed_commitment,
        groups=groups,
        applicants=applicants,
        params=params,
        decline_penalty=round_.decline_penalty,
        penalised=penalised,
    )
    document = publication.build_document(part, publication.build_result(result, params.seed))
    return RoundPublication.objects.create(
        round=round_,
        document=publication.canonical_json(document).decode("utf-8"),
        input_sha256=document["input_sha256"],
        result_sha256=document["result_sha256"],
    )
