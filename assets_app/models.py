"""The register of city-owned land and buildings (KIB A and KIB C) and its reclassifications.

Geometry is GeoJSON (EPSG:4326) in a JSON field; the bounding box, representative point, their
copies in UTM 48S metres and the kelurahan/kecamatan are derived from it by the services
whenever it changes, never sent by clients. Every change is kept by django-simple-history with
the user who made it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Kode barang (Permendagri 108/2016): 7 segments, e.g. 1.3.1.01.01.01.001 (land).
ITEM_CODE_RE = r"^\d\.\d\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{3}$"
ITEM_CODE_MESSAGE = _("Item code (kode barang) must look like 1.3.1.01.01.01.001.")
# Kode lokasi: owner (12 kabupaten/kota, 11 provinsi, 00 pusat), province, kabupaten/kota, then
# bidang, unit, sub unit and UPB as the region numbers them (assets_app/data/README.md).
LOCATION_CODE_RE = r"^(00|11|12)\.\d{2}\.\d{2}(\.\d{2}){1,4}$"
LOCATION_CODE_MESSAGE = _(
    "Location code (kode lokasi) must look like 12.32.76.08.01: owner, province, "
    "kabupaten/kota, then two to eight digits for bidang, unit, sub unit and UPB."
)


class Category(models.TextChoices):
    LAND = "land", _("Land (KIB A)")
    BUILDING = "building", _("Building (KIB C)")


class Use(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    OFFICE = "office", _("Office")
    SPORTS = "sports", _("Sports")
    MARKET = "market", _("Market")
    VACANT = "vacant", _("Vacant")
    ECONOMIC = "economic", _("Economic")
    OTHER = "other", _("Other")


class FacilityType(models.TextChoices):
    PAUD = "paud", _("Early childhood (PAUD)")
    SD = "sd", _("Primary school (SD)")
    SMP = "smp", _("Junior secondary school (SMP)")
    SMA = "sma", _("Senior secondary school (SMA)")
    POSYANDU = "posyandu", _("Integrated health post (Posyandu)")
    PUSTU = "pustu", _("Auxiliary health centre (Pustu)")
    PUSKESMAS = "puskesmas", _("Community health centre (Puskesmas)")
    HOSPITAL = "hospital", _("Hospital")


EDUCATION_FACILITIES = ("paud", "sd", "smp", "sma")
HEALTH_FACILITIES = ("posyandu", "pustu", "puskesmas", "hospital")


class Condition(models.TextChoices):
    GOOD = "good", _("Baik")
    MINOR_DAMAGE = "minor_damage", _("Rusak Ringan")
    MAJOR_DAMAGE = "major_damage", _("Rusak Berat")


class Status(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    UNDERUSED = "underused", _("Underused")
    IDLE = "idle", _("Idle")
    DESIGNATED_ECONOMIC = "designated_economic", _("Designated for economic use")
    OUTLET = "outlet", _("Outlet")
    DISPOSED = "disposed", _("Disposed")


class TitleType(models.TextChoices):
    HAK_PAKAI = "hak_pakai", _("Hak Pakai")
    HAK_PENGELOLAAN = "hak_pengelolaan", _("Hak Pengelolaan")
    HAK_MILIK = "hak_milik", _("Hak Milik")
    HAK_GUNA_BANGUNAN = "hak_guna_bangunan", _("Hak Guna Bangunan")
    IMB_PBG = "imb_pbg", _("IMB / PBG (building permit)")
    NONE = "none", _("Not yet certified")


class Origin(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    GRANT = "grant", _("Grant (hibah)")
    EXCHANGE = "exchange", _("Exchange (tukar menukar)")
    TRANSFER = "transfer", _("Transfer from another government")
    DEVELOPER_OBLIGATION = "developer_obligation", _("Developer obligation (PSU)")
    OTHER = "other", _("Other")


def _in(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


class AgencyKind(models.TextChoices):
    USER = "user", _("User agency (pengguna barang)")
    MANAGING = "managing", _("Managing agency (pengelola barang)")


class Agency(models.Model):
    """A city agency (OPD) that holds property (pengguna barang), or the finance agency that
    manages the register (pengelola barang). The seed list (migration 0008) is an editable
    starting list; `runs_outlets` marks the one agency that receives assets repurposed as
    outlets (alih status penggunaan)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    location_code = models.CharField(
        _("location code (kode lokasi)"),
        max_length=64,
        blank=True,
        validators=[RegexValidator(LOCATION_CODE_RE, LOCATION_CODE_MESSAGE)],
    )
    runs_outlets = models.BooleanField(_("runs the outlets"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(condition=_in("kind", AgencyKind), name="agency_kind_valid"),
            models.UniqueConstraint(
                fields=["runs_outlets"],
                condition=Q(runs_outlets=True),
                name="one_agency_runs_outlets",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OfficerProfile(models.Model):
    """The agency an asset officer works for: she writes only its assets, unless it is the
    managing agency, whose officers write every asset."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="officer_profile",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        Agency,
        to_field="code",
        on_delete=models.PROTECT,
        related_name="officers",
        verbose_name=_("agency"),
    )

    class Meta:
        verbose_name = _("officer profile")
        verbose_name_plural = _("officer profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.agency_id})"


class Asset(models.Model):
    # Unique through a constraint (Meta): `unique=True` would add, on PostgreSQL, a second
    # LIKE-pattern index no query uses, which every insert pays for.
    register_code = models.CharField(_("register code"), max_length=64)
    item_code = models.CharField(
        _("item code (kode barang)"),
        max_length=32,
        blank=True,
        validators=[RegexValidator(ITEM_CODE_RE, ITEM_CODE_MESSAGE)],
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    use = models.CharField(_("use"), max_length=16, choices=Use.choices)
    facility_type = models.CharField(
        _("facility type"), max_length=16, choices=FacilityType.choices, blank=True
    )
    custodian = models.CharField(_("custodian (as recorded)"), max_length=200, blank=True)
    custodian_agency = models.ForeignKey(
        Agency,
        to_field="code",
        db_column="custodian_agency_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
        verbose_name=_("custodian agency"),
    )
    # Assigned by the services per (agency, kode barang, acquisition year), as the KIB numbers.
    register_number = models.PositiveIntegerField(
        _("register number"), null=True, blank=True, editable=False
    )
    # KIB C's "nomor kode tanah": the register code of the land a building stands on.
    land_register_code = models.CharField(
        _("land register code (nomor kode tanah)"), max_length=64, blank=True
    )
    address = models.CharField(_("address"), max_length=300, blank=True)

    geometry = models.JSONField(_("geometry"))
    min_lon = models.FloatField(editable=False, verbose_name=_("minimum longitude"))
    min_lat = models.FloatField(editable=False, verbose_name=_("minimum latitude"))
    max_lon = models.FloatField(editable=False, verbose_name=_("maximum longitude"))
    max_lat = models.FloatField(editable=False, verbose_name=_("maximum latitude"))
    lon = models.FloatField(editable=False, verbose_name=_("longitude"))
    lat = models.FloatField(editable=False, verbose_name=_("latitude"))
    # The same point and the geometry in UTM 48S metres (EPSG:32748), where distances are
    # measured: a radius query reads them instead of projecting every candidate per request.
    # A point has no utm_geometry: (utm_x, utm_y) is its projection.
    utm_x = models.FloatField(editable=False, verbose_name=_("UTM 48S easting"))
    utm_y = models.FloatField(editable=False, verbose_name=_("UTM 48S northing"))
    utm_geometry = models.BinaryField(
        editable=False, null=True, verbose_name=_("geometry in UTM 48S (WKB)")
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
        db_index=False,  # asset_kel_use_idx leads with it
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
        db_index=False,  # asset_kec_use_idx leads with it
    )

    land_area_m2 = models.FloatField(
        _("land area (m²)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    building_area_m2 = models.FloatField(
        _("building area (m²)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    concrete = models.BooleanField(_("concrete (beton)"), null=True, blank=True)
    condition = models.CharField(
        _("condition"), max_length=16, choices=Condition.choices, default=Condition.GOOD
    )
    title_type = models.CharField(
        _("title type"), max_length=24, choices=TitleType.choices, blank=True
    )
    title_number = models.CharField(_("title number"), max_length=100, blank=True)
    title_date = models.DateField(_("title date"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=24, choices=Origin.choices, blank=True)
    acquisition_year = models.PositiveSmallIntegerField(
        _("acquisition year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    book_value = models.DecimalField(
        _("book value (IDR)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.IN_SERVICE
    )
    notes = models.TextField(_("notes"), blank=True)

    # Repurposing: the last stored assessment, and what the asset was before reclassification.
    repurposable = models.BooleanField(_("repurposable"), null=True, editable=False, db_index=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, editable=False)
    previous_use = models.CharField(
        max_length=16,
        choices=Use.choices,
        blank=True,
        editable=False,
        verbose_name=_("previous use"),
    )
    previous_facility_type = models.CharField(
        max_length=16,
        choices=FacilityType.choices,
        blank=True,
        editable=False,
        verbose_name=_("previous facility type"),
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The stored assessment is derived data that neighbouring facilities' changes rewrite; it
    # is kept out of the history so that the history shows what people changed. So are the UTM
    # copies of the geometry, which the geometry already records.
    # History is read per asset (by id) and by date; the register's own indexes are not copied
    # to it, since each costs every write (an import of 100,000 rows writes 100,000 history rows).
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "repurposable",
            "assessed_at",
            "utm_x",
            "utm_y",
            "utm_geometry",
        ],
        no_db_index=["register_code", "use", "facility_type", "status", "kelurahan", "kecamatan"],
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        indexes = [
            # The map filters' candidates come from this index alone (api.filters): the bbox,
            # then the representative point in metres that a radius query measures first.
            # PostgreSQL needs the id INCLUDEd; SQLite ignores `include`, its indexes hold the
            # rowid (the id).
            models.Index(
                fields=["min_lon", "max_lon", "min_lat", "max_lat", "utm_x", "utm_y"],
                include=["id"],
                name="asset_bbox_idx",
            ),
            # The widest feature bounds the map filters' index scan from below (api.filters).
            models.Index(models.F("max_lon") - models.F("min_lon"), name="asset_width_idx"),
            models.Index(fields=["kecamatan", "use"], name="asset_kec_use_idx"),
            models.Index(fields=["kelurahan", "use"], name="asset_kel_use_idx"),
            # Plain btree indexes: db_index=True would add a second, LIKE-pattern index on
            # PostgreSQL for each, which no query uses and every insert pays for.
            models.Index(fields=["facility_type"], name="asset_facility_type_idx"),
            models.Index(fields=["status"], name="asset_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["register_code"], name="asset_register_code_unique"),
            models.UniqueConstraint(
                fields=["custodian_agency", "item_code", "acquisition_year", "register_number"],
                condition=Q(register_number__isnull=False),
                name="asset_register_number_unique",
            ),
            models.CheckConstraint(
                condition=_in("category", Category), name="asset_category_valid"
            ),
            models.CheckConstraint(condition=_in("use", Use), name="asset_use_valid"),
            models.CheckConstraint(condition=_in("status", Status), name="asset_status_valid"),
            models.CheckConstraint(
                condition=_in("condition", Condition), name="asset_condition_valid"
            ),
            models.CheckConstraint(
                condition=Q(facility_type="")
                | Q(use="education", facility_type__in=EDUCATION_FACILITIES)
                | Q(use="health", facility_type__in=HEALTH_FACILITIES),
                name="asset_facility_type_matches_use",
            ),
            models.CheckConstraint(
                condition=Q(land_area_m2__isnull=True) | Q(land_area_m2__gte=0),
                name="asset_land_area_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(building_area_m2__isnull=True) | Q(building_area_m2__gte=0),
                name="asset_building_area_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(book_value__isnull=True) | Q(book_value__gte=0),
                name="asset_book_value_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.register_code} {self.name}"


RECLASSIFICATION_STR = _("Change of use {pk} of {asset} ({status})")


class ReclassificationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REVIEWED = "reviewed", _("Reviewed by the managing agency")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Reclassification(models.Model):
    """A proposal (pengalihan status penggunaan) to move an asset to economic use; four eyes."""

    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, related_name="reclassifications", verbose_name=_("asset")
    )
    status = models.CharField(
        max_length=16,
        choices=ReclassificationStatus.choices,
        default=ReclassificationStatus.PROPOSED,
        db_index=True,
        verbose_name=_("status"),
    )
    reason = models.TextField(_("reason"))
    assessment = models.JSONField(_("assessment snapshot"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_note = models.TextField(blank=True, verbose_name=_("decision note"))
    decision_assessment = models.JSONField(
        null=True, blank=True, verbose_name=_("assessment at the decision")
    )
    override_reason = models.TextField(blank=True, verbose_name=_("override reason"))
    # The managing agency's review, before the decision (Permendagri 19/2016).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(blank=True, verbose_name=_("review note"))
    # The mayor's decree (SK Wali Kota) and the hand-over record (berita acara serah terima).
    decree_number = models.CharField(_("decree number (SK Wali Kota)"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    handover_number = models.CharField(
        _("hand-over record number (BAST)"), max_length=100, blank=True
    )
    handover_date = models.DateField(_("hand-over record date"), null=True, blank=True)
    from_agency = models.ForeignKey(
        Agency,
        to_field="code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("custodian before"),
    )
    to_agency = models.ForeignKey(
        Agency,
        to_field="code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("custodian after"),
    )
    previous_use = models.CharField(
        max_length=16, choices=Use.choices, blank=True, verbose_name=_("previous use")
    )
    previous_facility_type = models.CharField(
        max_length=16,
        choices=FacilityType.choices,
        blank=True,
        verbose_name=_("previous facility type"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reclassification")
        verbose_name_plural = _("reclassifications")
        constraints = [
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(status__in=["proposed", "reviewed"]),
                name="one_open_reclassification_per_asset",
            ),
            models.CheckConstraint(
                condition=_in("status", ReclassificationStatus),
                name="reclassification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="reclassification_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("proposed_by")),
                name="reclassification_review_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        # The admin's titles and breadcrumbs: in the reader's language, the asset by its code.
        return str(RECLASSIFICATION_STR).format(
            pk=self.pk, asset=self.asset.register_code, status=self.get_status_display()
        )
