"""Attaching a document to an asset, a reclassification or a lease, and who may read it.

The upload is read once (bounded by `DOCUMENTS_MAX_BYTES`), recognised by its content
(`documents.content`), hashed (SHA-256) and saved through the "documents" storage under a name
made of its hash, so an uploaded name never reaches the storage.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assets_app.agencies import agency_write_check
from assets_app.models import Asset, Reclassification
from core.roles import (
    ASSET_APPROVER,
    ASSET_OFFICER,
    OUTLET_MANAGER,
    PLANNER,
    STAFF_ROLES,
    has_role,
)
from documents.content import EXTENSIONS, sniff
from documents.models import Document

FILE_TOO_LARGE = _("The file is larger than {limit} bytes.")
FILE_EMPTY = _("The file is empty.")
FILE_TYPE_REFUSED = _(
    "Only PDF, JPEG and PNG files are accepted, recognised by their content; this file is "
    "none of them."
)
ONE_OWNER = _("Name exactly one of asset, reclassification or lease.")
MAY_NOT_ATTACH = _("Your role may not attach documents to this object.")


def document_readable(*, user: AbstractBaseUser, document: Document) -> bool:
    """Whether `user` may read `document`: the roles that may read its object (the city's
    staff read assets and reclassifications; outlet managers and planners read leases)."""
    if document.lease_id is not None:
        return has_role(user, OUTLET_MANAGER, PLANNER)
    return has_role(user, *STAFF_ROLES)


def document_list(*, user: AbstractBaseUser) -> QuerySet[Document]:
    """The documents `user` may read (selector-like; the view pages and filters it)."""
    queryset = Document.objects.select_related("uploaded_by").order_by("id")
    if has_role(user, OUTLET_MANAGER, PLANNER):
        return queryset
    if has_role(user, *STAFF_ROLES):
        return queryset.filter(lease__isnull=True)
    return queryset.none()


def _check_may_attach(user, *, asset, reclassification, lease) -> None:
    if asset is not None:
        if not has_role(user, ASSET_OFFICER):
            raise PermissionDenied(str(MAY_NOT_ATTACH))
        agency_write_check(user, asset.custodian_agency_id)
    elif reclassification is not None:
        if has_role(user, ASSET_APPROVER):
            return
        if not has_role(user, ASSET_OFFICER):
            raise PermissionDenied(str(MAY_NOT_ATTACH))
        agency_write_check(user, reclassification.asset.custodian_agency_id)
    elif not has_role(user, OUTLET_MANAGER):
        raise PermissionDenied(str(MAY_NOT_ATTACH))


@transaction.atomic
def document_attach(
    *,
    user: AbstractBaseUser,
    upload,
    kind: str,
    title: str = "",
    asset: Asset | None = None,
    reclassification: Reclassification | None = None,
    lease=None,
) -> Document:
    """Store `upload` as a document of exactly one object."""
    if sum(x is not None for x in (asset, reclassification, lease)) != 1:
        raise ValidationError({"non_field_errors": [str(ONE_OWNER)]})
    _check_may_attach(user, asset=asset, reclassification=reclassification, lease=lease)
    limit = settings.DOCUMENTS_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": [str(FILE_TOO_LARGE).format(limit=limit)]})
    data = b"".join(upload.chunks())
    if len(data) > limit:
        raise ValidationError({"file": [str(FILE_TOO_LARGE).format(limit=limit)]})
    if not data:
        raise ValidationError({"file": [str(FILE_EMPTY)]})
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError({"file": [str(FILE_TYPE_REFUSED)]})
    digest = hashlib.sha256(data).hexdigest()
    document = Document(
        asset=asset,
        reclassification=reclassification,
        lease=lease,
        kind=kind,
        title=title,
        original_name=(getattr(upload, "name", "") or "")[:255],
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=user,
    )
    document.full_clean(exclude=["file"])
    document.file.save(
        f"documents/{digest[:2]}/{digest}{EXTENSIONS[content_type]}", ContentFile(data)
    )
    return document
