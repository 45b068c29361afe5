"""Querysets naming the outlets app's derived states, each defined once.

An offer past its `expires_at` is expired whether or not `manage.py expire_offers` has written
that yet, and the stall it held is vacant again: reads derive both from the clock, so no read
has to write. A "live" application is one not withdrawn (one per vendor and round).
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from outlets.choices import ApplicationStatus, OfferStatus, StallStatus


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


def stall_state(now: datetime | None = None) -> Case:
    """A stall's status as readers see it: an offered stall whose open offer is past its time is
    vacant, as it will be once the expiry is written. Usable in `values()`, `filter()`, counts."""
    offer_model = apps.get_model("outlets", "Offer")
    lapsed = Exists(offer_model.objects.filter(offers_due(now=now), stall=OuterRef("pk")))
    return Case(
        When(Q(status=StallStatus.OFFERED) & lapsed, then=Value(StallStatus.VACANT)),
        default=F("status"),
        output_field=models.CharField(),
    )


class StallQuerySet(models.QuerySet):
    def with_state(self, now: datetime | None = None) -> StallQuerySet:
        """Annotate `state` (`stall_state`), which `Stall.effective_status` reads."""
        return self.annotate(state=stall_state(now))
