"""The kode barang list (Permendagri 108/2016) for land and buildings, and the rule that an
asset's code exists in it and fits its category. The list is `data/kode_barang.csv` (its source
in `data/README.md`), read once per process."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).resolve().parent / "data" / "kode_barang.csv"
# The first three segments: akun 1 (aset), kelompok 3 (aset tetap), jenis 1 (tanah) / 3 (gedung).
CATEGORY_PREFIX = {"land": "1.3.1.", "building": "1.3.3."}

ITEM_CODE_UNKNOWN = _("Kode barang {code!r} is not in the Permendagri 108/2016 list.")
ITEM_CODE_WRONG_CATEGORY = _(
    "Kode barang {code!r} is not a {category} code: land codes start with 1.3.1, building "
    "codes with 1.3.3."
)


@cache
def item_codes() -> dict[str, str]:
    """Code -> name, in the file's order."""
    with DATA.open(encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def item_code_problem(code: str | None, category: str | None) -> str | None:
    """Why `code` cannot be the kode barang of an asset of `category`, or None. A blank code
    is no problem here (the field says whether it is required)."""
    if not code:
        return None
    if code not in item_codes():
        return str(ITEM_CODE_UNKNOWN).format(code=code)
    prefix = CATEGORY_PREFIX.get(category or "")
    if prefix and not code.startswith(prefix):
        return str(ITEM_CODE_WRONG_CATEGORY).format(code=code, category=category)
    return None
