"""The programme app's choices: programmes, coaching topics, licence kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.TextChoices):
    WUB = "wub", _("Wira Usaha Baru")
    WOMEN = "women", _("Women entrepreneurs")


class TargetProgramme(models.TextChoices):
    """A target is for one programme or for both together (`all`)."""

    ALL = "all", _("Both programmes")
    WUB = "wub", _("Wira Usaha Baru")
    WOMEN = "women", _("Women entrepreneurs")


class Topic(models.TextChoices):
    LICENSING = "licensing", _("Licensing")
    PACKAGING = "packaging", _("Packaging")
    MARKETING = "marketing", _("Marketing")
    OTHER = "other", _("Other")


class LicenceKind(models.TextChoices):
    NIB = "nib", _("NIB (business identification number, OSS)")
    SPP_IRT = "spp_irt", _("SPP-IRT (home food production)")
    HALAL = "halal", _("Halal certificate")


class Evidence(models.TextChoices):
    """What a claim's verification rests on."""

    COHORT_LIST = "cohort_list", _("the programme's cohort list")
    MANUAL = "manual", _("checked by hand")
