"""Administrative districts of Kota Depok (kecamatan and kelurahan) with real boundaries."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DistrictLevel(models.TextChoices):
    KECAMATAN = "kecamatan", _("Kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan")


class District(models.Model):
    """A kecamatan or kelurahan, keyed by its Kemendagri code (e.g. `32.76.06`)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=DistrictLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        to_field="code",
        db_column="parent_code",
    )
    bps_code = models.CharField(_("BPS code"), max_length=16, blank=True)
    geometry = models.JSONField(_("geometry"))
    min_lon = models.FloatField(db_index=True)
    min_lat = models.FloatField(db_index=True)
    max_lon = models.FloatField(db_index=True)
    max_lat = models.FloatField(db_index=True)
    lon = models.FloatField()
    lat = models.FloatField()
    area_km2 = models.FloatField(_("area (km²)"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=["kecamatan", "kelurahan"]),
                name="district_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(level="kecamatan", parent__isnull=True)
                | models.Q(level="kelurahan", parent__isnull=False),
                name="district_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
