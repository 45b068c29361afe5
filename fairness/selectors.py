"""Reads of issue 19: the public results of a round (no personal data), the facts a round will
use about an applicant, objections and appeals as each user may see them, and the remedy of an
upheld appeal (`remedy_claimant`, tried before the waitlist)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.roles import OUTLET_MANAGER, PLANNER, VENDOR, has_role
from fairness.models import Appeal, Decision, Objection, RoundPublication
from outlets.models import (
    AllocationRound,
    Application,
    ApplicationStatus,
    Claim,
    ClaimVerification,
    Offer,
    RoundStatus,
    Stall,
)
from outlets.services.vendors import vendor_claimed

# The rules in words (the public page says the same).
RULE_PRIORITY = _(
    "Priority at each group (outlet and stall kind), best first: verified programme members "
    "(WUB or women-entrepreneur), then residents of the outlet's kecamatan, then the lottery "
    "number."
)
RULE_DEFERRED_ACCEPTANCE = _(
    "Vendors propose to their choices in order (deferred acceptance): nobody can gain by "
    "ranking choices other than as she prefers them, and no vendor and group would both rather "
    "be matched to each other."
)
RULE_APPEAL_REMEDY = _(
    "An upheld appeal takes no stall from anyone: the vendor gets the first stall that falls "
    "vacant in a group she ranked above her result, before the waitlist."
)
RULE_DECLINE_PENALTY = _(
    "Decline penalty: a vendor who declined an offer in the 12 months before this round counts "
    "as a non-member in it."
)
RULE_NO_DECLINE_PENALTY = _("No decline penalty in this round.")

PUBLIC_STATUSES = (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.ALLOCATED)
# Verification evidence as the public results name it; the reason text (which may quote a
# KTP) is never shown.
EVIDENCE_MANAGER = "manager_check"
EVIDENCE_OBJECTION = "objection_upheld"
EVIDENCE_COHORT = "cohort_list"  # matched on a programme's cohort list (issue 20)


def public_rounds() -> QuerySet[AllocationRound]:
    """Rounds the public sees: every round once opened, newest first, with their counts."""
    return (
        AllocationRound.objects.filter(status__in=PUBLIC_STATUSES)
        .annotate(
            applied=Count(
                "applications",
                filter=~Q(applications__status=ApplicationStatus.WITHDRAWN),
                distinct=True,
            )
        )
        .order_by("-id")
    )


def round_stalls(round_: AllocationRound) -> int:
    """Stalls in the round's outlets (before the draw: what the applicants compete for)."""
    return Stall.objects.filter(outlet__in=round_.outlets.all()).count()


def _counts(model, round_: AllocationRound) -> dict[str, int]:
    rows = model.objects.filter(application__round=round_).values_list("status", flat=True)
    tally = Counter(rows)
    return {status: tally.get(status, 0) for status in Decision.values}


def round_document(round_: AllocationRound) -> dict | None:
    """The published verification file, parsed; None before allocation."""
    found = RoundPublication.objects.filter(round=round_).first()
    return json.loads(found.document) if found else None


def _evidence(round_: AllocationRound) -> dict[int, dict[str, str]]:
    """Application id -> claim -> the evidence of its live verification at allocation."""
    vendor_of = dict(Application.objects.filter(round=round_).values_list("vendor_id", "pk"))
    evidence: dict[int, dict[str, str]] = {}
    rows = ClaimVerification.objects.filter(vendor_id__in=list(vendor_of))
    if round_.allocated_at is not None:
        rows = rows.filter(verified_at__lte=round_.allocated_at).filter(
            Q(revoked_at=None) | Q(revoked_at__gt=round_.allocated_at)
        )
    for vendor_id, claim, reason in rows.values_list("vendor_id", "claim", "reason"):
        kind = EVIDENCE_MANAGER
        if reason.startswith("Objection "):
            kind = EVIDENCE_OBJECTION
        elif reason.startswith("Cohort list "):
            kind = EVIDENCE_COHORT
        evidence.setdefault(vendor_of[vendor_id], {})[claim] = kind
    return evidence


def public_round(round_: AllocationRound) -> dict:
    """The public results of a round: parameters, commitment (and seed once drawn), counts,
    per group and per application figures. No name, NIK, phone or address."""
    document = round_document(round_)
    data = {
        "id": round_.pk,
        "name": round_.name,
        "status": round_.status,
        "opens_at": round_.opens_at,
        "closes_at": round_.closes_at,
        "allocated_at": round_.allocated_at,
        "params": {
            "women_reserve_share": round_.women_reserve_share,
            "category_cap": round_.category_cap,
            "max_choices": round_.max_choices,
            "objection_days": round_.objection_days,
            "appeal_days": round_.appeal_days,
            "decline_penalty": round_.decline_penalty,
        },
        "rules": [
            str(RULE_PRIORITY),
            str(RULE_DEFERRED_ACCEPTANCE),
            str(RULE_DECLINE_PENALTY if round_.decline_penalty else RULE_NO_DECLINE_PENALTY),
            str(RULE_APPEAL_REMEDY),
        ],
        "seed_commitment": round_.seed_commitment,
        "seed": round_.revealed_seed,
        "engine_version": None,
        "input_sha256": None,
        "result_sha256": None,
        "applied": Application.objects.live().filter(round=round_).count(),
        "stalls": round_stalls(round_),
        "objections": _counts(Objection, round_),
        "appeals": _counts(Appeal, round_),
        "groups": [],
        "applications": [],
    }
    if document is None:
        return data
    part, result = document["input"], document["result"]
    data.update(
        engine_version=part["engine"],
        input_sha256=document["input_sha256"],
        result_sha256=document["result_sha256"],
    )
    listed = Counter(c["group"] for a in part["applications"] for c in a["choices"] if c["group"])
    outcomes = {g["id"]: g for g in result["groups"]}
    for group in part["groups"]:
        got = outcomes[group["id"]]
        data["groups"].append(
            {
                "id": group["id"],
                "capacity": group["capacity"],
                "reserved": group["reserved"],
                "applicants": listed.get(group["id"], 0),
                "offers": len(got["assigned"]),
                "cutoff": got["cutoff"],
            }
        )
    evidence = _evidence(round_)
    claims = dict(Application.objects.filter(round=round_).values_list("pk", "claims"))
    results = {a["id"]: a for a in result["applications"]}
    for app in part["applications"]:
        got = results[app["id"]]
        counted = claims.get(app["id"]) or {}
        data["applications"].append(
            {
                "id": app["id"],
                "programme": app["programme"],
                "women_programme": app["women_programme"],
                "decline_penalty": app["decline_penalty"],
                "lottery": got["lottery"],
                "choices": app["choices"],
                "outcome": got["outcome"],
                "choice_rank": got["choice_rank"],
                "verified": {
                    claim: {
                        "verified": bool((counted.get(claim) or {}).get("verified")),
                        "evidence": evidence.get(app["id"], {}).get(claim)
                        if (counted.get(claim) or {}).get("verified")
                        else None,
                    }
                    for claim in Claim.values
                },
            }
        )
    return data


def application_facts(application: Application) -> dict:
    """The facts the round will use about the applicant, as they stand now."""
    vendor = application.vendor
    claimed = vendor_claimed(vendor)
    live = set(
        ClaimVerification.objects.filter(vendor=vendor, revoked_at=None).values_list(
            "claim", flat=True
        )
    )
    return {
        "application": application.pk,
        "round": application.round_id,
        "facts": [
            {
                "fact": claim,
                "claimed": bool(claimed[claim]),
                "verified": bool(claimed[claim]) and claim in live,
            }
            for claim in Claim.values
        ],
        "domicile_kecamatan": (
            vendor.home_kelurahan.parent_id
            if vendor.home_kelurahan_id and Claim.DOMICILE in live
            else None
        ),
    }


def _visible(queryset: QuerySet, user: AbstractBaseUser) -> QuerySet:
    if has_role(user, OUTLET_MANAGER, PLANNER):
        if has_role(user, PLANNER):
            return queryset
        return queryset.filter(application__round__outlets__managers=user).distinct()
    if has_role(user, VENDOR):
        return queryset.filter(application__vendor__user=user)
    return queryset.none()


def objection_list(user: AbstractBaseUser) -> QuerySet[Objection]:
    return _visible(Objection.objects.select_related("application"), user).order_by("id")


def appeal_list(user: AbstractBaseUser) -> QuerySet[Appeal]:
    return _visible(Appeal.objects.select_related("application"), user).order_by("id")


def remedy_claimant(stall: Stall, today: date | None = None) -> Application | None:
    """Who an upheld appeal gives this vacant stall to: the earliest upheld appeal (by decision
    time) whose vendor ranked the stall's group above her outcome and has had no stall offered
    since the decision. Nobody else's stall is taken: only vacancies are given."""
    from operations.models import WaitlistOffer  # operations reads this module's hook

    group = (stall.outlet_id, stall.kind)
    appeals = (
        Appeal.objects.filter(status=Decision.UPHELD, application__round__outlets=stall.outlet_id)
        .select_related("application")
        .order_by("decided_at", "id")
    )
    for appeal in appeals:
        application = appeal.application
        if WaitlistOffer.objects.filter(
            application=application, created_at__gte=appeal.decided_at
        ).exists():
            continue  # remedied
        offer = Offer.objects.filter(application=application).order_by("pk").first()
        above = offer.choice_rank if offer is not None else None
        for choice in application.choices.order_by("rank"):
            if above is not None and choice.rank >= above:
                break
            if (choice.outlet_id, choice.stall_kind) == group:
                return application
    return None
