"""What a file is, from its bytes and never its name: PDF, PNG or JPEG, each recognised by its
signature and a parse check (a PDF's header and end-of-file marker; a PNG's or JPEG's image
parsed by Pillow). Anything else, such as HTML or a script named `.pdf`, is refused."""

from __future__ import annotations

import io

from PIL import Image

from documents.models import ContentType

PDF_HEADER = b"%PDF-"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
EXTENSIONS = {ContentType.PDF: ".pdf", ContentType.PNG: ".png", ContentType.JPEG: ".jpg"}


def _pdf_ok(data: bytes) -> bool:
    # The header opens the file (a PDF may carry a few bytes of junk first; we accept none) and
    # the end-of-file marker closes it, within the last kilobyte as readers look for it.
    return data.startswith(PDF_HEADER) and b"%%EOF" in data[-1024:]


def _image_ok(data: bytes, fmt: str) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != fmt:
                return False
            image.verify()
    except Exception:  # noqa: BLE001 - a crafted image may break the parser anywhere: not an image
        return False
    return True


def sniff(data: bytes) -> str | None:
    """The content type of `data` (a `ContentType` value), or None if it is none of them."""
    if data.startswith(PDF_HEADER):
        return ContentType.PDF if _pdf_ok(data) else None
    if data.startswith(PNG_SIGNATURE):
        return ContentType.PNG if _image_ok(data, "PNG") else None
    if data.startswith(JPEG_SIGNATURE):
        return ContentType.JPEG if _image_ok(data, "JPEG") else None
    return None
