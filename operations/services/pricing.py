"""Writes for an outlet's terms and tariffs, and the price a new lease gets.

Rent is never typed by hand: monthly rent = base rate per m² x the stall's area x the tariff's
location factor x its programme factor, rounded to whole rupiah (half up). The outlet records
the commercial rate for the same space, and a tariff's rate per m² (base x factors) may be at
most 30% of it (PP 7/2021, micro and small businesses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from operations.models import UMK_CAP_SHARE, LeasePricing, OutletTerms, PaymentRegime, Tariff
from outlets.models import Lease, Outlet, Stall
from outlets.services import outlet_require_managed

TERMS_MISSING = _("Record the outlet's commercial reference rate before its tariffs.")
TARIFF_OVER_CAP = _(
    "The rate per m² ({rate}) exceeds 30% of the commercial rate ({cap} at most; PP 7/2021)."
)
TARIFF_EXISTS = _("A tariff for this outlet and stall kind already starts on that day.")
COMMERCIAL_BELOW_TARIFF = _(
    "A tariff of this outlet charges {rate} per m², more than 30% of this rate."
)

WHOLE = Decimal("1")


@transaction.atomic
def terms_set(
    *,
    outlet: Outlet,
    user: AbstractBaseUser,
    regime: str,
    commercial_rate_per_m2: Decimal,
    due_days: int = 10,
) -> OutletTerms:
    """Create or change the outlet's payment regime, commercial rate and due days."""
    outlet_require_managed(user=user, outlet_ids=[outlet.pk])
    terms = OutletTerms.objects.select_for_update().filter(outlet=outlet).first()
    terms = terms or OutletTerms(outlet=outlet)
    terms.regime, terms.commercial_rate_per_m2, terms.due_days = (
        regime,
        commercial_rate_per_m2,
        due_days,
    )
    terms.full_clean(validate_unique=False)
    cap = commercial_rate_per_m2 * UMK_CAP_SHARE
    for tariff in Tariff.objects.filter(outlet=outlet):
        if tariff.rate_per_m2 > cap:
            raise ValidationError(
                {
                    "commercial_rate_per_m2": [
                        str(COMMERCIAL_BELOW_TARIFF).format(rate=_rupiah(tariff.rate_per_m2))
                    ]
                }
            )
    terms._history_user = user
    terms.save()
    return terms


def _rupiah(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


@transaction.atomic
def tariff_create(
    *,
    outlet: Outlet,
    user: AbstractBaseUser,
    stall_kind: str,
    base_rate_per_m2: Decimal,
    regulation: str,
    valid_from: date,
    location_factor: Decimal = Decimal("1"),
    programme_factor: Decimal = Decimal("1"),
) -> Tariff:
    """A tariff from `valid_from` on; its rate per m² at most 30% of the commercial rate."""
    outlet_require_managed(user=user, outlet_ids=[outlet.pk])
    terms = OutletTerms.objects.select_for_update().filter(outlet=outlet).first()
    if terms is None:
        raise ValidationError({"outlet": [TERMS_MISSING]})
    tariff = Tariff(
        outlet=outlet,
        stall_kind=stall_kind,
        base_rate_per_m2=base_rate_per_m2,
        location_factor=location_factor,
        programme_factor=programme_factor,
        regulation=(regulation or "").strip(),
        valid_from=valid_from,
        created_by=user,
    )
    tariff.full_clean(validate_unique=False, validate_constraints=False)
    cap = terms.commercial_rate_per_m2 * UMK_CAP_SHARE
    if tariff.rate_per_m2 > cap:
        raise ValidationError(
            {
                "base_rate_per_m2": [
                    str(TARIFF_OVER_CAP).format(rate=_rupiah(tariff.rate_per_m2), cap=_rupiah(cap))
                ]
            }
        )
    if Tariff.objects.filter(outlet=outlet, stall_kind=stall_kind, valid_from=valid_from).exists():
        raise Conflict(str(TARIFF_EXISTS))
    tariff._history_user = user
    try:
        with transaction.atomic():
            tariff.save()
    except IntegrityError:
        raise Conflict(str(TARIFF_EXISTS)) from None
    return tariff


def tariff_in_force(*, outlet_id: int, stall_kind: str, day: date) -> Tariff | None:
    """The tariff of that outlet and kind with the latest `valid_from` on or before `day`."""
    return (
        Tariff.objects.filter(outlet_id=outlet_id, stall_kind=stall_kind, valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .first()
    )


@dataclass(frozen=True)
class Quote:
    """A lease's price: what `LeasePricing` stores."""

    tariff: Tariff | None
    regime: str
    base_rate_per_m2: Decimal | None
    area_m2: Decimal
    location_factor: Decimal
    programme_factor: Decimal
    monthly_amount: Decimal
    formula: str


def quote(*, stall: Stall, day: date) -> Quote:
    """The monthly rent of `stall` for a lease starting on `day`, by the tariff in force.

    Without a tariff (an outlet opened before tariffs) the stall's recorded fee stands, and the
    formula says so."""
    terms = OutletTerms.objects.filter(outlet_id=stall.outlet_id).first()
    regime = terms.regime if terms else PaymentRegime.RETRIBUSI
    area = Decimal(str(round(stall.area_m2, 2))).quantize(Decimal("0.01"))
    tariff = tariff_in_force(outlet_id=stall.outlet_id, stall_kind=stall.kind, day=day)
    if tariff is None:
        return Quote(
            None, regime, None, area, Decimal("1"), Decimal("1"), stall.monthly_fee,
            "stall monthly fee (no tariff in force)",
        )  # fmt: skip
    amount = (
        tariff.base_rate_per_m2 * area * tariff.location_factor * tariff.programme_factor
    ).quantize(WHOLE, rounding=ROUND_HALF_UP)
    formula = (
        f"{tariff.base_rate_per_m2} per m2 x {area} m2 x location {tariff.location_factor}"
        f" x programme {tariff.programme_factor} = {amount} per month ({tariff.regulation})"
    )
    return Quote(
        tariff, regime, tariff.base_rate_per_m2, area, tariff.location_factor,
        tariff.programme_factor, amount.quantize(Decimal("0.01")), formula,
    )  # fmt: skip


def lease_pricing_record(*, lease: Lease, price: Quote, months: int) -> LeasePricing:
    """Store the price a lease was given (called inside the lease's own transaction)."""
    return LeasePricing.objects.create(
        lease=lease,
        tariff=price.tariff,
        regime=price.regime,
        base_rate_per_m2=price.base_rate_per_m2,
        area_m2=price.area_m2,
        location_factor=price.location_factor,
        programme_factor=price.programme_factor,
        formula=price.formula,
        monthly_amount=price.monthly_amount,
        months=months,
    )
