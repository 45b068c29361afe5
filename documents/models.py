"""Files attached to an asset, a reclassification decision or a lease: land certificates,
building permits, decrees, hand-over records, lease contracts, photos.

A document belongs to exactly one object (a check constraint). The file is kept through
Django's storage API (`STORAGES["documents"]`: the filesystem by default, any S3-compatible
store by settings) under a name derived from its SHA-256, never from the uploaded name.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    LAND_CERTIFICATE = "land_certificate", _("Land certificate")
    BUILDING_PERMIT = "building_permit", _("Building permit (IMB/PBG)")
    DECREE = "decree", _("Decree (SK Wali Kota)")
    HANDOVER = "handover", _("Hand-over record (BAST)")
    LEASE_CONTRACT = "lease_contract", _("Lease contract")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class ContentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


def _documents_storage():
    from django.core.files.storage import storages

    return storages["documents"]


class Document(models.Model):
    asset = models.ForeignKey(
        "assets_app.Asset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("asset"),
    )
    reclassification = models.ForeignKey(
        "assets_app.Reclassification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("reclassification"),
    )
    lease = models.ForeignKey(
        "outlets.Lease",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("lease"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), storage=_documents_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=32, choices=ContentType.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(asset__isnull=False, reclassification__isnull=True, lease__isnull=True)
                    | Q(asset__isnull=True, reclassification__isnull=False, lease__isnull=True)
                    | Q(asset__isnull=True, reclassification__isnull=True, lease__isnull=False)
                ),
                name="document_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=ContentType.values), name="document_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name or self.pk}"
