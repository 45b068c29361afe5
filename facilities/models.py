"""Reference facilities: schools and health facilities from the providers' own lists.

The city's register holds only the facilities the city owns. Residents are also served by
private schools, madrasahs under the religious ministry, provincial senior schools, private
clinics and hospitals; the repurposing assessment counts those as supply too. Rows come from the
national lists (Dapodik / Data Referensi Pendidikan for schools, keyed by NPSN; the Kemenkes
facility list for health, keyed by its facility code). A row that IS a city asset is linked to
it (`asset`), so the facility is counted once, as the asset.

Points are stored as the register stores them: lon/lat (EPSG:4326) plain columns, with the
kelurahan and kecamatan from `geodata.boundaries.locate_point`.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assets_app.models import FacilityType  # the same codes as assets and service standards
from facilities.categories import Category, Level

NPSN_RE = r"^[0-9]{8}$"
# Kemenkes codes: a puskesmas "P" + 10 digits, a hospital 7 digits, clinics and others an
# alphanumeric code; only the shape is checked.
HEALTH_CODE_RE = r"^[A-Z0-9]{5,20}$"
NPSN_SHAPE = _("An NPSN is 8 digits.")
HEALTH_CODE_SHAPE = _("A Kemenkes facility code is 5 to 20 capital letters or digits.")
TYPE_NOT_OF_KIND = _("Facility type {facility_type} is not a {kind} facility type.")

EDUCATION_TYPES = ("paud", "sd", "smp", "sma")
HEALTH_TYPES = ("posyandu", "pustu", "puskesmas", "hospital")


class Kind(models.TextChoices):
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")


class Provider(models.TextChoices):
    STATE = "state", _("City government (negeri)")
    PRIVATE = "private", _("Private (swasta)")
    RELIGIOUS = "religious_ministry", _("Ministry of Religious Affairs (Kemenag)")
    PROVINCE = "province", _("Provincial government")
    CENTRAL = "central", _("Central government (ministry, TNI, Polri, state company)")


class OperatingStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    CLOSED = "closed", _("Closed")


def _positive(label):
    return models.PositiveIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1)]
    )


# The field of a reference facility that states its capacity in each unit a service standard
# counts (`ServiceStandard.capacity_unit`).
CAPACITY_FIELDS = {"students": "capacity_students", "beds": "capacity_beds"}


class ReferenceFacility(models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    facility_type = models.CharField(
        _("facility type"), max_length=16, choices=FacilityType.choices
    )
    category = models.CharField(
        _("category (as the provider lists it)"), max_length=24, choices=Category.choices
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    national_id = models.CharField(
        _("national id (NPSN or Kemenkes code)"), max_length=20, db_index=True
    )
    name = models.CharField(_("name"), max_length=200)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity_students = _positive(_("capacity (students)"))
    capacity_rombel = _positive(_("capacity (study groups, rombel)"))
    capacity_beds = _positive(_("capacity (beds)"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
    )
    lon = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    lat = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    kelurahan = models.ForeignKey(
        "geodata.District",
        to_field="code",
        db_column="kelurahan_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("kelurahan"),
    )
    kecamatan = models.ForeignKey(
        "geodata.District",
        to_field="code",
        db_column="kecamatan_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("kecamatan"),
    )
    source = models.CharField(_("source"), max_length=300)
    synthetic = models.BooleanField(_("synthetic (demo data)"), default=False)
    asset = models.OneToOneField(
        "assets_app.Asset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reference_facility",
        verbose_name=_("city asset that is this facility"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["id"]
        verbose_name = _("reference facility")
        verbose_name_plural = _("reference facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "national_id"], name="reference_facility_national_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="school", facility_type__in=EDUCATION_TYPES)
                | Q(kind="health", facility_type__in=HEALTH_TYPES),
                name="reference_facility_type_of_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="school") | Q(national_id__regex=NPSN_RE),
                name="reference_facility_npsn_shape",
            ),
            models.CheckConstraint(
                condition=~Q(source=""), name="reference_facility_source_required"
            ),
        ]
        indexes = [
            models.Index(fields=["facility_type", "status"], name="reffac_type_status_idx"),
            models.Index(fields=["kecamatan", "facility_type"], name="reffac_kec_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.national_id} {self.name}"

    def clean(self):
        import re

        if self.kind == Kind.SCHOOL and not re.fullmatch(NPSN_RE, self.national_id or ""):
            raise ValidationError({"national_id": [str(NPSN_SHAPE)]})
        if self.kind == Kind.HEALTH and not re.fullmatch(HEALTH_CODE_RE, self.national_id or ""):
            raise ValidationError({"national_id": [str(HEALTH_CODE_SHAPE)]})
        types = EDUCATION_TYPES if self.kind == Kind.SCHOOL else HEALTH_TYPES
        if self.kind and self.facility_type and self.facility_type not in types:
            raise ValidationError(
                {
                    "facility_type": [
                        str(TYPE_NOT_OF_KIND).format(
                            facility_type=self.facility_type, kind=self.kind
                        )
                    ]
                }
            )
