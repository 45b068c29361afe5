"""How rent is set: an outlet's payment regime and commercial reference rate, the tariffs a city
regulation (Perwal) sets per outlet and stall kind, and the price a lease was given."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from operations.choices import PaymentRegime
from outlets.choices import StallKind

# PP 7/2021: micro and small businesses pay at most 30% of the commercial rate for the space.
UMK_CAP_SHARE = Decimal("0.30")
FACTOR_MAX = Decimal("10")


def _money(verbose: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose, max_digits=14, decimal_places=2, validators=[MinValueValidator(0)], **kwargs
    )


def _factor(verbose: str) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=6,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(FACTOR_MAX)],
    )


class OutletTerms(models.Model):
    """The outlet's payment regime, its commercial reference rate and when bills fall due."""

    outlet = models.OneToOneField(
        "outlets.Outlet", on_delete=models.PROTECT, related_name="terms", verbose_name=_("outlet")
    )
    regime = models.CharField(
        _("payment regime"),
        max_length=16,
        choices=PaymentRegime.choices,
        default=PaymentRegime.RETRIBUSI,
    )
    commercial_rate_per_m2 = _money(_("commercial reference rate per m² per month (IDR)"))
    due_days = models.PositiveSmallIntegerField(
        _("days from a period's start to its due date"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("outlet terms")
        verbose_name_plural = _("outlet terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(regime__in=PaymentRegime.values), name="terms_regime_valid"
            ),
            models.CheckConstraint(
                condition=Q(commercial_rate_per_m2__gt=0), name="terms_commercial_rate_positive"
            ),
            models.CheckConstraint(condition=Q(due_days__lte=60), name="terms_due_days_range"),
        ]


class Tariff(models.Model):
    """Rent per m² per month for one stall kind in one outlet, from `valid_from` on, times the
    stated factors: monthly rent = base rate x area x location factor x programme factor."""

    outlet = models.ForeignKey(
        "outlets.Outlet", on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("outlet")
    )
    stall_kind = models.CharField(_("stall kind"), max_length=16, choices=StallKind.choices)
    base_rate_per_m2 = _money(_("base rate per m² per month (IDR)"))
    location_factor = _factor(_("location class factor"))
    programme_factor = _factor(_("programme reduction factor"))
    regulation = models.CharField(_("regulation (Perwal)"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["outlet_id", "stall_kind", "-valid_from"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "stall_kind", "valid_from"], name="tariff_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(stall_kind__in=StallKind.values), name="tariff_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(base_rate_per_m2__gt=0), name="tariff_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(location_factor__gt=0, programme_factor__gt=0),
                name="tariff_factors_positive",
            ),
        ]

    @property
    def rate_per_m2(self) -> Decimal:
        return self.base_rate_per_m2 * self.location_factor * self.programme_factor


class LeasePricing(models.Model):
    """The rate, factors and formula a lease was priced with, so any bill can be re-derived."""

    lease = models.OneToOneField(
        "outlets.Lease", on_delete=models.PROTECT, related_name="pricing", verbose_name=_("lease")
    )
    tariff = models.ForeignKey(
        Tariff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    regime = models.CharField(_("payment regime"), max_length=16, choices=PaymentRegime.choices)
    base_rate_per_m2 = _money(_("base rate per m² per month (IDR)"), null=True, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2)
    location_factor = _factor(_("location class factor"))
    programme_factor = _factor(_("programme reduction factor"))
    formula = models.CharField(_("formula"), max_length=300)
    monthly_amount = _money(_("monthly rent (IDR)"))
    months = models.PositiveSmallIntegerField(_("months"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lease pricing")
        verbose_name_plural = _("lease pricings")
        constraints = [
            models.CheckConstraint(
                condition=Q(regime__in=PaymentRegime.values), name="pricing_regime_valid"
            ),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="pricing_amount_min"),
        ]
