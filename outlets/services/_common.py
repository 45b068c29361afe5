"""Helpers the outlets services share: dates, stall-code order, the seed commitment, the
priority key's JSON form, chunked writes."""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import date

from django.utils.translation import gettext_lazy as _

FIELD_NOT_WRITABLE = _("This field cannot be changed.")


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clipped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def natural_key(code: str) -> tuple:
    """Sort key putting A2 before A10: digit runs compare as numbers."""
    parts = re.split(r"(\d+)", code)
    return tuple((0, int(p), p) if p.isdigit() else (1, 0, p.casefold()) for p in parts if p)


def seed_commitment(seed: str) -> str:
    """The published commitment: SHA-256 of the seed's text, hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


def priority_json(key: tuple[int, int, int] | None) -> dict | None:
    """A priority key for JSON: the lottery is a 64-bit number, so it travels as a string."""
    if key is None:
        return None
    return {"programme": key[0], "local": key[1], "lottery": str(key[2])}
