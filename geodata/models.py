"""Administrative districts of Kota Depok (kecamatan and kelurahan) with real boundaries.

Also the planning data the repurposing assessment reads: service standards per facility type
and the population surface (demand cells with their residents).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
        verbose_name=_("kecamatan"),
    )
    bps_code = models.CharField(_("BPS code"), max_length=16, blank=True)
    geometry = models.JSONField(_("geometry"))
    min_lon = models.FloatField(db_index=True, verbose_name=_("minimum longitude"))
    min_lat = models.FloatField(db_index=True, verbose_name=_("minimum latitude"))
    max_lon = models.FloatField(db_index=True, verbose_name=_("maximum longitude"))
    max_lat = models.FloatField(db_index=True, verbose_name=_("maximum latitude"))
    lon = models.FloatField(verbose_name=_("longitude"))
    lat = models.FloatField(verbose_name=_("latitude"))
    area_km2 = models.FloatField(_("area (km²)"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("population year")
    )
    population_source = models.CharField(
        max_length=200, blank=True, verbose_name=_("population source")
    )

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


# --- Service standards and the population surface (repurposing assessment) -------------------

# The facility types of assets_app.models.FacilityType; geodata sits below assets_app, so the
# codes are repeated here (a test checks the two lists agree).
FACILITY_TYPES = ("paud", "sd", "smp", "sma", "posyandu", "pustu", "puskesmas", "hospital")
FACILITY_USES = ("education", "health")
CAPACITY_UNITS = [("students", _("students")), ("beds", _("beds"))]


class ServiceStandard(models.Model):
    """How far a facility type serves and how many residents one facility serves.

    Loaded from `geodata/data/service_standards.csv` (SNI 03-1733-2004 unless the source says
    otherwise); officials change them in the admin, and every change is kept with who and when.
    """

    facility_type = models.CharField(
        _("facility type"), max_length=16, unique=True, choices=[(t, t) for t in FACILITY_TYPES]
    )
    use = models.CharField(_("use"), max_length=16, choices=[(u, u) for u in FACILITY_USES])
    name = models.CharField(_("name"), max_length=100)
    radius_m = models.FloatField(_("service radius (m)"), validators=[MinValueValidator(1)])
    residents_per_facility = models.PositiveIntegerField(
        _("residents per facility"), validators=[MinValueValidator(1)]
    )
    source = models.CharField(_("source"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    # Capacity where known (issue 18): one unit of a facility's stated capacity (a student
    # place, a bed) serves this many residents; blank unit: capacity is not used for the type.
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=8, choices=CAPACITY_UNITS, blank=True
    )
    residents_per_capacity_unit = models.FloatField(
        _("residents per capacity unit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.001)],
    )
    capacity_source = models.CharField(_("capacity source"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["id"]
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(radius_m__gt=0), name="service_standard_radius_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(residents_per_facility__gt=0),
                name="service_standard_residents_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_type}: {self.radius_m:g} m, {self.residents_per_facility}"


class PopulationSource(models.Model):
    """One build of the population surface: which figures, from where, for which year.

    Each rebuild adds a row and replaces the cells; the newest row is the current surface and
    the older rows remain as the record of what was imported when.
    """

    level = models.CharField(
        _("level of the figures"), max_length=10, choices=DistrictLevel.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=300)
    cell_size_m = models.FloatField(_("cell size (m)"))
    cell_count = models.PositiveIntegerField(_("cells"), default=0)
    total_population = models.FloatField(_("total population"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("population source")
        verbose_name_plural = _("population sources")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What the API shows as `population_source`."""
        return (
            f"{self.source}, {self.year}, per {self.level}, spread by area over "
            f"{self.cell_size_m:g} m cells"
        )


class PopulationCell(models.Model):
    """A demand cell: a grid square (at most 250 m x 250 m, EPSG:32748) clipped to a kelurahan."""

    source = models.ForeignKey(
        PopulationSource,
        on_delete=models.CASCADE,
        related_name="cells",
        verbose_name=_("population source"),
    )
    kelurahan = models.ForeignKey(
        District,
        to_field="code",
        db_column="kelurahan_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kelurahan"),
    )
    kecamatan = models.ForeignKey(
        District,
        to_field="code",
        db_column="kecamatan_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kecamatan"),
    )
    row = models.IntegerField(verbose_name=_("row"))
    col = models.IntegerField(verbose_name=_("column"))
    x = models.FloatField(
        help_text="centroid easting, EPSG:32748 (m)", verbose_name=_("x (EPSG:32748, m)")
    )
    y = models.FloatField(
        help_text="centroid northing, EPSG:32748 (m)", verbose_name=_("y (EPSG:32748, m)")
    )
    lon = models.FloatField(verbose_name=_("longitude"))
    lat = models.FloatField(verbose_name=_("latitude"))
    area_m2 = models.FloatField(verbose_name=_("area (m²)"))
    population = models.FloatField(verbose_name=_("population"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("population cell")
        verbose_name_plural = _("population cells")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kelurahan", "row", "col"], name="population_cell_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(population__gte=0), name="population_cell_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"cell {self.row}/{self.col} in {self.kelurahan_id}"
