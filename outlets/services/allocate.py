"""Allocating a closed round: the engine's input from the database, the engine, then the writes.

`round_allocate` runs as named steps in one transaction: lock and check the round, build the
engine's input (`_engine_input`), run it, give each group's assigned vendors its vacant stalls
(`_stalls_for`), write the choices' priorities, statuses and offers (`_write_results`) and
record the audit event. The round row is locked first and the stalls FOR UPDATE in pk order, so
a second call waits and then finds the round allocated.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.audit import audit_record
from core.errors import Conflict
from core.models import AuditAction
from fairness.services import objection_gate, round_publish
from geodata.models import District, DistrictLevel
from notifications.reminders import offers_notify_round
from outlets import allocation
from outlets.models import (
    AllocationRound,
    AllocationRun,
    Application,
    ApplicationChoice,
    ApplicationStatus,
    Claim,
    ClaimVerification,
    Offer,
    OfferStatus,
    RoundStatus,
    Stall,
    StallStatus,
    Vendor,
)
from outlets.services._common import natural_key, priority_json
from outlets.services.outlet_stalls import require_round_managed
from outlets.services.rounds import ROUND_ALREADY_ALLOCATED, ROUND_NOT_CLOSED, locked_round
from outlets.services.vendors import vendor_claimed

logger = logging.getLogger(__name__)

# Rows per statement of the set-based writes below.
CHUNK = 1000

GroupKey = tuple[int, str]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class EngineInput:
    """What the engine is given, with what the writes need of the rows it was built from."""

    groups: list[allocation.Group]
    applicants: list[allocation.Applicant]
    params: allocation.Params
    applications: list[Application]  # submitted, by pk, with vendor and choices
    vacant: dict[GroupKey, list[Stall]]  # each group's vacant stalls, in stall-code order
    claims_of: dict[int, dict]  # application id -> the claims as counted
    penalised: set[int]  # application ids counted as non-members for a declined offer


def _verified_claims(vendor_ids: list[int]) -> dict[int, set[str]]:
    """Vendor id -> the claims with a live verification."""
    verified: dict[int, set[str]] = defaultdict(set)
    for ids in _chunks(sorted(set(vendor_ids))):
        rows = ClaimVerification.objects.filter(vendor_id__in=ids, revoked_at=None)
        for vendor_id, claim in rows.values_list("vendor_id", "claim"):
            verified[vendor_id].add(claim)
    return verified


def _claims_counted(vendor: Vendor, verified: set[str]) -> dict[str, dict[str, bool]]:
    """Each claim of the vendor: whether she makes it, and whether it is verified (and counts)."""
    out = {}
    for claim, value in vendor_claimed(vendor).items():
        made = bool(value)
        out[str(claim)] = {"claimed": made, "verified": made and claim in verified}
    return out


def _group_figures(result: allocation.AllocationResult) -> list[dict]:
    figures = []
    for key in sorted(result.groups):
        group = result.groups[key]
        figures.append(
            {
                "outlet": key[0],
                "stall_kind": key[1],
                "capacity": group.capacity,
                "reserved": group.reserved,
                "assigned": len(group.assigned),
                "cutoff": priority_json(group.cutoff),
                "reserved_assigned": len(getattr(group, "reserved_assigned", ()) or ()),
                "reserved_cutoff": priority_json(getattr(group, "reserved_cutoff", None)),
                "capped_categories": list(getattr(group, "capped_categories", ()) or ()),
            }
        )
    return figures


def _locked_closed_round(round_id: int, user: AbstractBaseUser) -> AllocationRound:
    """The round, locked, managed by `user`, closed and not yet allocated (else 409)."""
    round_ = locked_round(round_id)
    require_round_managed(user, round_)
    if (
        round_.status == RoundStatus.ALLOCATED
        or AllocationRun.objects.filter(round=round_).exists()
    ):
        raise Conflict(str(ROUND_ALREADY_ALLOCATED))
    if round_.status != RoundStatus.CLOSED:
        raise Conflict(str(ROUND_NOT_CLOSED))
    objection_gate(round_)
    return round_


# A declined offer counts against the vendor in the next round with a decline penalty.
DECLINE_PENALTY_DAYS = 365


def _decline_penalised(round_: AllocationRound, vendor_ids: list[int]) -> set[int]:
    """Vendors who declined an offer in the 12 months before the round closed and have not
    yet been allocated in a round with the penalty since: they count as non-members."""
    if not round_.decline_penalty:
        return set()
    since = (round_.closed_at or timezone.now()) - timedelta(days=DECLINE_PENALTY_DAYS)
    declined: dict[int, datetime] = {}
    for ids in _chunks(sorted(set(vendor_ids))):
        rows = Offer.objects.filter(
            application__vendor_id__in=ids, status=OfferStatus.DECLINED, decided_at__gte=since
        ).exclude(application__round=round_)
        for vendor_id, at in rows.values_list("application__vendor_id", "decided_at"):
            declined[vendor_id] = max(at, declined.get(vendor_id, at))
    served = set()
    for vendor_id, at in Application.objects.filter(
        vendor_id__in=list(declined),
        round__decline_penalty=True,
        round__status=RoundStatus.ALLOCATED,
        round__allocated_at__gt=since,
    ).values_list("vendor_id", "round__allocated_at"):
        if at > declined[vendor_id]:
            served.add(vendor_id)
    return set(declined) - served


def _groups(round_: AllocationRound) -> tuple[list[allocation.Group], dict[GroupKey, list[Stall]]]:
    """The round's groups with their vacant stalls (locked), each group's in stall-code order."""
    outlets = {o.pk: o for o in round_.outlets.select_related("asset").defer("asset__geometry")}
    stalls = list(
        Stall.objects.select_for_update().filter(outlet_id__in=list(outlets)).order_by("pk")
    )
    vacant: dict[GroupKey, list[Stall]] = defaultdict(list)
    kinds: set[GroupKey] = set()
    for stall in stalls:
        kinds.add((stall.outlet_id, stall.kind))
        if stall.status == StallStatus.VACANT:
            vacant[(stall.outlet_id, stall.kind)].append(stall)
    for group_stalls in vacant.values():
        group_stalls.sort(key=lambda s: natural_key(s.code))
    groups = [
        allocation.Group(
            key=key,
            capacity=len(vacant.get(key, ())),
            kecamatan_code=outlets[key[0]].asset.kecamatan_id or "",
        )
        for key in sorted(kinds)
    ]
    return groups, vacant


def _applicants(
    applications: list[Application], penalised: set[int] = frozenset()
) -> tuple[list[allocation.Applicant], dict[int, dict]]:
    """The engine's applicants, and each application's claims as counted (a penalised vendor,
    by vendor id, counts as a member of no programme)."""
    # kelurahan -> kecamatan from the 63 codes, not by joining each vendor to a boundary row
    kecamatan_of = dict(
        District.objects.filter(level=DistrictLevel.KELURAHAN).values_list("code", "parent_id")
    )
    verified = _verified_claims([app.vendor_id for app in applications])
    applicants, claims_of = [], {}
    for app in applications:
        vendor = app.vendor
        claims = _claims_counted(vendor, verified.get(vendor.pk, set()))
        claims_of[app.pk] = claims
        # An unverified claim counts as not made: not a member, not resident.
        member = vendor.pk not in penalised
        applicants.append(
            allocation.Applicant(
                application_id=app.pk,
                choices=tuple((c.outlet_id, c.stall_kind) for c in app.choices.all()),
                wub_participant=member and claims[Claim.WUB]["verified"],
                women_programme=member and claims[Claim.WOMEN]["verified"],
                kecamatan_code=(
                    kecamatan_of.get(vendor.home_kelurahan_id)
                    if claims[Claim.DOMICILE]["verified"]
                    else None
                ),
                product_category=vendor.product_category,
            )
        )
    return applicants, claims_of


def _engine_input(round_: AllocationRound) -> EngineInput:
    """Step 1: the groups, the applicants and the round's parameters, read from the database."""
    groups, vacant = _groups(round_)
    applications = list(
        Application.objects.filter(round=round_, status=ApplicationStatus.SUBMITTED)
        .select_related("vendor")
        .prefetch_related("choices")
        .order_by("pk")
    )
    penalised = _decline_penalised(round_, [app.vendor_id for app in applications])
    applicants, claims_of = _applicants(applications, penalised)
    params = allocation.Params(
        seed=round_.seed,
        women_reserve_share=float(round_.women_reserve_share),
        category_cap=round_.category_cap,
    )
    penalised_apps = {app.pk for app in applications if app.vendor_id in penalised}
    return EngineInput(groups, applicants, params, applications, vacant, claims_of, penalised_apps)


def _record_run(
    round_: AllocationRound, data: EngineInput, result: allocation.AllocationResult, user
) -> None:
    """Step 2b: the audit record of the run (seed, input digest, engine version, figures)."""
    input_sha256 = hashlib.sha256(
        allocation.canonical_input(data.groups, data.applicants, data.params)
    ).hexdigest()
    AllocationRun.objects.create(
        round=round_,
        seed=round_.seed,
        input_sha256=input_sha256,
        engine_version=allocation.ENGINE_VERSION,
        figures={"counts": dict(result.counts), "groups": _group_figures(result)},
        created_by=user,
    )


def _stalls_for(data: EngineInput, result: allocation.AllocationResult) -> dict[int, Stall]:
    """Step 3: the k-th best assigned vendor of a group gets its k-th vacant stall by code."""
    stall_for: dict[int, Stall] = {}
    for key, group in result.groups.items():
        for app_id, stall in zip(group.assigned, data.vacant.get(key, ()), strict=False):
            stall_for[app_id] = stall
    return stall_for


def _write_results(
    round_: AllocationRound,
    data: EngineInput,
    result: allocation.AllocationResult,
    stall_for: dict[int, Stall],
    *,
    now: datetime,
    user: AbstractBaseUser,
) -> tuple[list[Offer], list[Stall]]:
    """Step 4: the choices with their priorities, the applications' statuses and claims, the
    offered stalls and the offers. Returns the offers and the stalls offered."""
    expires_at = now + timedelta(days=round_.acceptance_days)
    offers, offered_stalls, choices = [], [], []
    for app in data.applications:
        for choice, key in zip(app.choices.all(), result.priorities.get(app.pk, ()), strict=False):
            choices.append(
                ApplicationChoice(
                    application_id=app.pk,
                    rank=choice.rank,
                    outlet_id=choice.outlet_id,
                    stall_kind=choice.stall_kind,
                    priority=priority_json(key),
                )
            )
        stall = stall_for.get(app.pk)
        if stall is None:
            continue
        offers.append(
            Offer(
                application=app,
                stall=stall,
                choice_rank=result.choice_rank[app.pk],
                status=OfferStatus.OPEN,
                expires_at=expires_at,
            )
        )
        stall.status = StallStatus.OFFERED
        stall.updated_at = now
        offered_stalls.append(stall)
    # Set-based writes: bulk_update's CASE per row grows with the square of the batch, and a
    # round may hold tens of thousands of choices. The choices are rewritten with their
    # priorities (nothing refers to a choice row); statuses move with chunked UPDATEs.
    # (The round is locked and closed: its submitted applications are exactly `applications`.)
    ApplicationChoice.objects.filter(
        application__round=round_, application__status=ApplicationStatus.SUBMITTED
    ).delete()
    ApplicationChoice.objects.bulk_create(choices, batch_size=CHUNK)
    assigned_ids = [offer.application_id for offer in offers]
    Application.objects.filter(round=round_, status=ApplicationStatus.SUBMITTED).update(
        status=ApplicationStatus.UNASSIGNED, updated_at=now
    )
    for ids in _chunks(assigned_ids):
        Application.objects.filter(pk__in=ids).update(
            status=ApplicationStatus.ASSIGNED, updated_at=now
        )
    _write_claims(data.claims_of)
    for stalls_chunk in _chunks(offered_stalls):
        Stall.objects.filter(pk__in=[stall.pk for stall in stalls_chunk]).update(
            status=StallStatus.OFFERED, updated_at=now
        )
    if offered_stalls:
        Stall.history.bulk_history_create(
            offered_stalls, batch_size=CHUNK, update=True, default_user=user, default_date=now
        )
    if offers:
        bulk_create_with_history(offers, Offer, batch_size=CHUNK, default_user=user)
    return offers, offered_stalls


def _write_claims(claims_of: dict[int, dict]) -> None:
    """The claims as counted, one UPDATE per distinct combination (at most 27 of them)."""
    by_claims: dict[str, list[int]] = defaultdict(list)
    for app_id, claims in claims_of.items():
        by_claims[json.dumps(claims, sort_keys=True)].append(app_id)
    for claims_json, app_ids in by_claims.items():
        for ids in _chunks(app_ids):
            Application.objects.filter(pk__in=ids).update(claims=json.loads(claims_json))


def _audit(
    round_: AllocationRound, offers: list, offered_stalls: list, *, now: datetime, user
) -> None:
    """Step 5: the bulk writes bypass the history signals the audit trail listens to, so one
    summary event; then the round is marked allocated (its last write)."""
    audit_record(
        action=AuditAction.BULK,
        object_type="outlets.offer",
        object_repr=f"Allocation of round {round_.pk}",
        user=user,
        changes={"offers_created": [0, len(offers)], "stalls_offered": [0, len(offered_stalls)]},
    )
    round_.status = RoundStatus.ALLOCATED
    round_.allocated_at = now
    round_._history_user = user
    round_.save()


@transaction.atomic
def round_allocate(*, round_: AllocationRound, user: AbstractBaseUser) -> AllocationRound:
    """Allocate a closed round once: run the engine, offer stalls, store the audit record.

    The round row is locked first, so a second call waits and then finds the round allocated;
    the one-to-one AllocationRun is the last guard. Each group's vacant stalls go to its
    assigned vendors in stall-code order, the best priority taking the first code.
    """
    started = time.monotonic()
    round_ = _locked_closed_round(round_.pk, user)
    now = timezone.now()
    data = _engine_input(round_)
    result = allocation.allocate(data.groups, data.applicants, data.params)
    _record_run(round_, data, result, user)
    round_publish(
        round_=round_,
        groups=data.groups,
        applicants=data.applicants,
        params=data.params,
        result=result,
        penalised=data.penalised,
    )
    offers, offered_stalls = _write_results(
        round_, data, result, _stalls_for(data, result), now=now, user=user
    )
    _audit(round_, offers, offered_stalls, now=now, user=user)
    offers_notify_round(round_id=round_.pk)  # after the commit; a failed send keeps the offers
    counts = result.counts
    fields = {
        "event": "round_allocated",
        "round_id": round_.pk,
        "applications": counts["applications"],
        "groups": counts["groups"],
        "capacity": counts["capacity"],
        "assigned": counts["assigned"],
        "unassigned": counts["unassigned"],
        "offers": len(offers),
        "seed_sha256": round_.seed_commitment,
        "duration_ms": round(1000 * (time.monotonic() - started)),
    }
    transaction.on_commit(lambda: logger.info("round allocated", extra=fields))
    return round_
