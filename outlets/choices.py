"""The outlets app's choices: stall kinds and statuses, product categories, claims, and the
statuses of rounds, applications, offers and leases. `outlets.models` re-exports them all."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StallKind(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    BOOTH = "booth", _("Booth")
    KITCHEN = "kitchen", _("Kitchen")


class StallStatus(models.TextChoices):
    VACANT = "vacant", _("Vacant")
    OFFERED = "offered", _("Offered")
    LEASED = "leased", _("Leased")


class ProductCategory(models.TextChoices):
    CULINARY = "culinary", _("Culinary")
    FASHION = "fashion", _("Fashion")
    CRAFT = "craft", _("Craft")
    AGRIBUSINESS = "agribusiness", _("Agribusiness")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Claim(models.TextChoices):
    """The self-declared claims that rank a vendor in allocation, once a manager verified them."""

    WUB = "wub_participant", _("Wira Usaha Baru participant")
    WOMEN = "women_programme", _("women-entrepreneur programme")
    DOMICILE = "domicile", _("domicile (home kelurahan)")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ALLOCATED = "allocated", _("Allocated")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ASSIGNED = "assigned", _("Assigned a stall")
    UNASSIGNED = "unassigned", _("Not assigned")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class LeaseStatus(models.TextChoices):
    """A lease's states. Stored: `signed` (a renewal waiting for its start), `active` (in force),
    `terminated`, and `ended` / `renewed` once `run_daily` writes down an end date that passed.
    Readers derive `signed`, `active`, `ended` and `renewed` from the dates
    (`outlets.managers.lease_state`), so no read waits for the job."""

    SIGNED = "signed", _("Signed, not started")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")
    TERMINATED = "terminated", _("Terminated")
    RENEWED = "renewed", _("Renewed")
