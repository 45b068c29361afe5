"""What the operations services share: the city's date, lease lookups under lock, managers."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser

from outlets.managers import lease_status_on
from outlets.models import Lease
from outlets.nik import city_today
from outlets.services import outlet_require_managed


def today_or(day: date | None) -> date:
    return day or city_today()


def require_lease_managed(user: AbstractBaseUser, lease: Lease) -> None:
    outlet_require_managed(user=user, outlet_ids=[lease.stall.outlet_id])


def lease_state(lease: Lease, day: date) -> str:
    return lease_status_on(lease, day)
