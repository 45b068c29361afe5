"""Querysets naming the outlets app's derived states, each defined once.

An offer past its `expires_at` is expired whether or not `manage.py expire_offers` has written
that yet, and the stall it held is vacant again: reads derive both from the clock, so no read
has to write. A "live" application is one not withdrawn (one per vendor and round).

A lease runs from its `start_date` up to, not including, its `end_date`: from the end date on it
reads as ended (or renewed, when a renewal follows it) and its stall as vacant unless another
lease holds it, whether or not `run_daily` has written that yet (`lease_state`, `stall_state`).
"""

from __future__ import annotations

from datetime import date, datetime

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from outlets.choices import ApplicationStatus, LeaseStatus, OfferStatus, StallStatus

IN_FORCE = (LeaseStatus.SIGNED, LeaseStatus.ACTIVE)


def live_applications(prefix: str = "") -> Q:
    """Applications not withdrawn; `prefix` names the relation (`"applications__"`)."""
    return ~Q(**{f"{prefix}status": ApplicationStatus.WITHDRAWN})


def offers_due(prefix: str = "", *, now: datetime | None = None) -> Q:
    """Open offers whose acceptance time is up at `now`."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": OfferStatus.OPEN, f"{prefix}expires_at__lte": now})


class ApplicationQuerySet(models.QuerySet):
    def live(self) -> ApplicationQuerySet:
        return self.filter(live_applications())


class OfferQuerySet(models.QuerySet):
    def due(self, now: datetime | None = None) -> OfferQuerySet:
        """Open offers past their time: expired to readers, still to be written so."""
        return self.filter(offers_due(now=now))


def _city_date(now: datetime | None) -> date:
    return timezone.localdate(now or timezone.now(), timezone.get_default_timezone())


def leases_holding(today: date, prefix: str = "") -> Q:
    """Leases that hold their stall on `today` or later: signed or active, end date not reached."""
    return Q(**{f"{prefix}status__in": IN_FORCE, f"{prefix}end_date__gt": today})


def lease_status_on(lease, today: date) -> str:
    """`lease_state` for one lease already in memory (same rule, no query unless it ended)."""
    if lease.status not in IN_FORCE:
        return lease.status
    if lease.end_date <= today:
        renewed = type(lease).objects.filter(renewal_of=lease.pk).exists()
        return LeaseStatus.RENEWED if renewed else LeaseStatus.ENDED
    return LeaseStatus.SIGNED if lease.start_date > today else LeaseStatus.ACTIVE


def lease_state(today: date) -> Case:
    """A lease's status as readers see it on the city's date `today`: before its start signed,
    from its end date ended (renewed if a renewal follows it), else what is stored."""
    lease_model = apps.get_model("outlets", "Lease")
    renewed = Exists(lease_model.objects.filter(renewal_of=OuterRef("pk")))
    in_force = Q(status__in=IN_FORCE)
    return Case(
        When(in_force & Q(end_date__lte=today) & renewed, then=Value(LeaseStatus.RENEWED)),
        When(in_force & Q(end_date__lte=today), then=Value(LeaseStatus.ENDED)),
        When(in_force & Q(start_date__gt=today), then=Value(LeaseStatus.SIGNED)),
        When(in_force, then=Value(LeaseStatus.ACTIVE)),
        default=F("status"),
        output_field=models.CharField(),
    )


class LeaseQuerySet(models.QuerySet):
    def with_state(self, today: date | None = None) -> LeaseQuerySet:
        """Annotate `state` (`lease_state`), which `Lease.effective_status` reads."""
        return self.annotate(state=lease_state(today or _city_date(None)))

    def in_state(self, state: str, today: date | None = None) -> LeaseQuerySet:
        return self.with_state(today).filter(state=state)


def stall_state(now: datetime | None = None) -> Case:
    """A stall's status as readers see it: an offered stall whose open offer is past its time is
    vacant, as it will be once the expiry is written, and so is a leased stall whose lease has
    reached its end date with no other lease holding it. Usable in `values()`, `filter()`,
    counts. The operations app's waitlist offers hold stalls the same way; a stall offered again
    after a lapsed offer (not yet written down) is held by the new one."""
    now = now or timezone.now()
    offer_model = apps.get_model("outlets", "Offer")
    lease_model = apps.get_model("outlets", "Lease")
    offer_kinds = [offer_model]
    if apps.is_installed("operations"):
        offer_kinds.append(apps.get_model("operations", "WaitlistOffer"))
    lapsed = live = None
    for kind in offer_kinds:
        offers = kind.objects.filter(stall=OuterRef("pk"))
        due = Exists(offers.filter(offers_due(now=now)))
        in_time = Exists(offers.filter(status=OfferStatus.OPEN, expires_at__gt=now))
        lapsed, live = (due, in_time) if lapsed is None else (lapsed | due, live | in_time)
    today = _city_date(now)
    leases = lease_model.objects.filter(stall=OuterRef("pk"))
    held = Exists(leases.filter(leases_holding(today)))
    ran_out = Exists(leases.filter(status__in=IN_FORCE, end_date__lte=today))
    return Case(
        When(Q(status=StallStatus.OFFERED) & lapsed & ~live, then=Value(StallStatus.VACANT)),
        When(Q(status=StallStatus.LEASED) & ran_out & ~held, then=Value(StallStatus.VACANT)),
        default=F("status"),
        output_field=models.CharField(),
    )


class StallQuerySet(models.QuerySet):
    def with_state(self, now: datetime | None = None) -> StallQuerySet:
        """Annotate `state` (`stall_state`), which `Stall.effective_status` reads."""
        return self.annotate(state=stall_state(now))
