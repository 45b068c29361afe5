"""Constants, validators and helpers the outlets models share."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LEASE_MONTHS_MAX = 60  # PP 27/2014 art. 29: a lease of regional property runs at most five years
NIB_RE = r"^[0-9]{13}$"
NIB_MESSAGE = _("A NIB (Nomor Induk Berusaha) is exactly 13 digits.")
PHONE_RE = r"^(\+62|62|0)[0-9]{8,13}$"
PHONE_MESSAGE = _("Enter an Indonesian phone number such as 081234567890 or +6281234567890.")
AREA_NOT_POSITIVE = _("The area must be greater than 0 m².")


def validate_positive_area(value: float) -> None:
    if not value > 0:  # also refuses NaN
        raise ValidationError(AREA_NOT_POSITIVE, code="min_value")


def _in(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})
