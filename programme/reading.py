"""Reading a cohort list: CSV (UTF-8 text) or XLSX (a ZIP holding a workbook), each opened only
as the format its name claims and only after its content was checked to be that format.

Gives the header and the rows as text cells; a file that cannot be read is a ValidationError with
a fixed reason per format (never what the reader said).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assets_app.importing.readers import NOT_UTF8_CSV, UNREADABLE_FILE

COHORT_SUFFIXES = (".csv", ".xlsx")
MAX_ROWS = 50_000
MAX_COLUMNS = 50
MAX_CELL = 500

NOT_XLSX = _("it is not an Excel workbook (.xlsx).")
TOO_MANY_ROWS = _("The file has more than {limit} rows; split it.")
TOO_MANY_COLUMNS = _("The file has more than {limit} columns.")
COHORT_SUFFIX = _("Unsupported file type {suffix!r}; use .csv or .xlsx.")
NO_ROWS = _("The file has no header row.")

ZIP_MAGIC = b"PK\x03\x04"
# A workbook's parts, and at most this many entries or uncompressed bytes (a ZIP bomb is refused
# before openpyxl opens it).
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
MAX_ZIP_ENTRIES = 200
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


def _unreadable(reason) -> ValidationError:
    return ValidationError(str(UNREADABLE_FILE).format(reason=reason))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()[:MAX_CELL]


def _checked(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    if not rows:
        raise ValidationError(str(NO_ROWS))
    first = list(rows[0])
    while first and not first[-1].strip():  # a spreadsheet pads rows to its widest
        first.pop()
    header = [c.strip().lower().replace(" ", "_") for c in first]
    if len(header) > MAX_COLUMNS:
        raise ValidationError(str(TOO_MANY_COLUMNS).format(limit=MAX_COLUMNS))
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    return header, body


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        if b"\0" in data:
            raise UnicodeError
        text = data.decode("utf-8-sig")
    except UnicodeError:
        raise _unreadable(NOT_UTF8_CSV) from None
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(rows) > MAX_ROWS:
                raise ValidationError(str(TOO_MANY_ROWS).format(limit=MAX_ROWS))
            rows.append([_cell(c) for c in row[: MAX_COLUMNS + 1]])
    except csv.Error:
        raise _unreadable(NOT_UTF8_CSV) from None
    return _checked(rows)


def _is_workbook(data: bytes) -> bool:
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            size = sum(info.file_size for info in infos)
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return (
        all(part in names for part in XLSX_PARTS)
        and len(infos) <= MAX_ZIP_ENTRIES
        and size <= MAX_UNZIPPED_BYTES
    )


def read_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    if not _is_workbook(data):
        raise _unreadable(NOT_XLSX)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            if len(rows) > MAX_ROWS:
                raise ValidationError(str(TOO_MANY_ROWS).format(limit=MAX_ROWS))
            rows.append([_cell(c) for c in row])
        book.close()
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any reader failure is the file's problem
        raise _unreadable(NOT_XLSX) from None
    return _checked(rows)


def read_cohort_file(data: bytes, suffix: str) -> tuple[list[str], list[list[str]]]:
    """The header (lower case) and the non-empty rows of a .csv or .xlsx cohort list."""
    if suffix == ".csv":
        return read_csv(data)
    if suffix == ".xlsx":
        return read_xlsx(data)
    raise ValidationError(str(COHORT_SUFFIX).format(suffix=suffix))
