"""Cleaning an import's values: each column through the asset fields' own rules, once per
distinct value, plus the row rules that need the register (codes taken, status moves).

The rules are the single-write rules of `assets_app.services` (`asset_clean_value`,
`status_problem`, `disposal_conflicts`), applied column by column; errors are collected per row
(numbered from 1, the first record after the header) instead of stopping at the first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from assets_app.agencies import agency_write_check, writes_all
from assets_app.fields import FIELDS_BY_NAME
from assets_app.importing.readers import NOT_A_NUMBER
from assets_app.kode_barang import item_code_problem
from assets_app.models import Asset, Category, Status
from assets_app.services import asset_clean_value, disposal_conflicts, status_problem
from assets_app.services.register import LAND_LINK_FOR_BUILDINGS, LAND_NOT_FOUND

NOT_WHOLE_NUMBER = _("Must be a whole number.")
NOT_FINITE = _("Must be a finite number (not NaN or infinity).")

_BOOLEAN_WORDS = {"true": True, "yes": True, "false": False, "no": False}


def _key(value: Any) -> Any:
    return (type(value), value)


def clean_column(name: str, values: list, add_error: Callable) -> list:
    """Clean every value of a column with the field's rules, once per distinct value."""
    field = Asset._meta.get_field(name)
    # The converter follows the field's kind in `assets_app.fields`.
    kind = FIELDS_BY_NAME[name].kind
    integer = kind == "integer"
    boolean = kind == "boolean"
    date_field = kind in ("date", "datetime")
    floating = kind == "float"

    def clean(raw: Any) -> tuple[bool, Any]:
        if isinstance(raw, str):
            raw = raw.strip()
        if boolean and isinstance(raw, str):
            # Spreadsheet spellings; anything else goes to the field, which refuses it.
            raw = _BOOLEAN_WORDS.get(raw.lower(), raw)
        if isinstance(raw, datetime) and date_field:
            raw = raw.date()
        try:
            # Before the field's own rules, which would call -inf merely "below 0".
            if floating and isinstance(raw, str):
                raw = _float_or_text(raw)
            if isinstance(raw, float) and not math.isfinite(raw):
                raise ValidationError(str(NOT_FINITE))
            if integer and isinstance(raw, float) and not raw.is_integer():
                raise ValidationError(str(NOT_WHOLE_NUMBER))
            value = asset_clean_value(name, raw)
            # A float field's clean takes "inf", "nan" and "1e309" (which is inf); the database
            # would store them, and every sum and comparison over the column would go wrong.
            if isinstance(value, float) and not math.isfinite(value):
                raise ValidationError(str(NOT_FINITE))
            return True, value
        except ValidationError as exc:
            return False, " ".join(str(m) for m in exc.messages)
        except (TypeError, ValueError, ArithmeticError):
            return False, str(NOT_A_NUMBER)

    # Distinct values by (type, value), so that 1, 1.0 and True stay apart; a column of one
    # type (plus missing values) can be keyed by the value alone, which is much cheaper.
    kinds = set(map(type, values))
    plain_text = _plain_text_field(field)
    limit = field.max_length or math.inf
    if plain_text and kinds == {str}:
        # A text column of strings only (names, codes): stripped in one pass when every value
        # passes (what the field's clean returns for a non-empty string within max_length).
        stripped = [v.strip() for v in values]
        lengths = list(map(len, stripped))
        if min(lengths) > 0 and max(lengths) <= limit:
            return stripped
    kinds.discard(type(None))
    keys = values if len(kinds) <= 1 else list(zip(map(type, values), values, strict=True))
    number, lowest, highest = _plain_number_field(field)
    cleaned: dict = {}
    bad: dict = {}
    for key, raw in dict(zip(keys, values, strict=True)).items():
        if plain_text and type(raw) is str:
            # What the field's clean returns for a non-empty string within max_length.
            text = raw.strip()
            if text and len(text) <= limit:
                cleaned[key] = text
                continue
        elif (
            type(raw) is number
            and lowest <= raw <= highest
            and (number is int or math.isfinite(raw))
        ):
            # What the field's clean returns for a finite number of its own type within its
            # bounds (a NaN fails every comparison, so the bounds alone would let it through).
            cleaned[key] = raw
            continue
        ok, value = clean(raw)
        if ok:
            cleaned[key] = value
        else:
            bad[key] = value
    if not bad:
        return list(map(cleaned.__getitem__, keys))
    out = []
    for row, key in enumerate(keys):
        if key in bad:
            add_error(row, name, bad[key])
            out.append(None)
        else:
            out.append(cleaned[key])
    return out


def _float_or_text(text: str) -> float | str:
    """The float a text spells (as the float field's clean reads it), or the text unchanged."""
    try:
        return float(text)
    except ValueError:
        return text


def _plain_text_field(field: models.Field) -> bool:
    """A text field whose only rule for a non-empty string is its max_length (no choices, no
    other validators): its clean returns such a string unchanged."""
    return (
        isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and all(isinstance(v, MaxLengthValidator) for v in field.validators)
    )


def _plain_number_field(field: models.Field) -> tuple[type | None, float, float]:
    """For a float or integer field whose only rules are minimum and maximum values: the Python
    type its clean returns unchanged (float or int) and the bounds (the tightest of its
    validators); (None, ...) for any other field, which then goes through its clean."""
    kinds = {models.FloatField.to_python: float, models.IntegerField.to_python: int}
    number = kinds.get(type(field).to_python)
    if (
        number is None
        or field.choices
        or not field.editable
        or type(field).clean is not models.Field.clean
        or type(field).validate is not models.Field.validate
        or type(field).run_validators is not models.Field.run_validators
    ):
        return None, -math.inf, math.inf
    lowest, highest = -math.inf, math.inf
    for validator in field.validators:
        limit = validator.limit_value
        if callable(limit) or not isinstance(limit, int | float):
            return None, -math.inf, math.inf
        if type(validator) is MinValueValidator:
            lowest = max(lowest, limit)
        elif type(validator) is MaxValueValidator:
            highest = min(highest, limit)
        else:
            return None, -math.inf, math.inf
    return number, lowest, highest


def row_error(row: int | None, field: str, message: str) -> dict:
    return {"row": None if row is None else row + 1, "field": field, "message": str(message)}


def check_statuses(
    statuses: list, codes: list, existing: dict[str, Asset | None], add_error: Callable
) -> None:
    """The single-write status rules, row by row: a new asset takes no workflow status; an
    existing one neither takes nor leaves one, and is not disposed of while an outlet stands on
    it. (Checked again under lock when written: `_recheck_statuses`.)"""
    moves = {}
    for row, (status, code) in enumerate(zip(statuses, codes, strict=True)):
        asset = existing.get(code)
        before = asset.status if asset is not None else None
        if status is None or status == before:
            continue  # a bad value has its error already; an unchanged status is no move
        moves[row] = (asset, before, status)
    disposing = [a.pk for a, _, new in moves.values() if a is not None and new == Status.DISPOSED]
    conflicts = disposal_conflicts(disposing) if disposing else {}
    for row, (asset, before, status) in moves.items():
        problem = status_problem(before, status)
        if problem is None and asset is not None:
            problem = conflicts.get(asset.pk)
        if problem:
            add_error(row, "status", problem)


def existing_codes(codes: list[str], *, load: bool) -> dict[str, Asset | None]:
    """The codes already in the register: with `load`, mapped to their assets, else to None.

    One plain query with all the codes as one JSON array parameter (the ORM's IN lookup
    prepares every parameter, and chunks of codes made PostgreSQL scan the table once per
    chunk); the assets themselves only when needed.
    """
    table = connection.ops.quote_name(Asset._meta.db_table)
    found: dict[str, Asset | None] = {}
    if connection.vendor == "postgresql":
        # As an array: one index scan for all the codes (IN over the set-returning function
        # would probe the index once per code in a nested loop).
        where = "register_code = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))"
    else:
        where = "register_code IN (SELECT value FROM json_each(%s))"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT register_code FROM {table} WHERE {where}", [orjson.dumps(codes).decode()]
        )
        found.update((code, None) for (code,) in cursor.fetchall())
    if load and found:
        present = list(found)
        for start in range(0, len(present), CODE_CHUNK):
            for asset in Asset.objects.filter(
                register_code__in=present[start : start + CODE_CHUNK]
            ):
                found[asset.register_code] = asset
    return found


# Codes per query when loading the assets to update.
CODE_CHUNK = 5000


def item_rules_errors(cleaned: dict[str, list], add_error: Callable) -> None:
    """Each row's kode barang exists and fits its category, and a land link names land (in
    the register or in the file)."""
    codes, categories = cleaned.get("item_code"), cleaned.get("category")
    if codes is not None and categories is not None:
        pairs = list(zip(codes, categories, strict=True))
        found = {pair: item_code_problem(*pair) for pair in set(pairs) if None not in pair}
        for row, pair in enumerate(pairs):
            if found.get(pair):
                add_error(row, "item_code", found[pair])
    links = cleaned.get("land_register_code")
    if links is None:
        return
    in_file = {
        code
        for code, category in zip(
            cleaned["register_code"], categories or [None] * len(links), strict=True
        )
        if category == Category.LAND
    }
    wanted = {link for link in links if link} - in_file
    known = set(
        Asset.objects.filter(register_code__in=wanted, category=Category.LAND).values_list(
            "register_code", flat=True
        )
    )
    for row, link in enumerate(links):
        if not link:
            continue
        if categories is not None and categories[row] == Category.LAND:
            add_error(row, "land_register_code", str(LAND_LINK_FOR_BUILDINGS))
        elif link not in in_file and link not in known:
            add_error(row, "land_register_code", str(LAND_NOT_FOUND).format(code=link))


def scope_error(user, agency_code: str | None, row: int, add_error: Callable) -> None:
    try:
        agency_write_check(user, agency_code)
    except PermissionDenied as exc:
        add_error(row, "custodian_agency", str(exc))


def agency_rule_errors(cleaned: dict[str, list], user, add_error: Callable) -> None:
    """An officer of a user agency imports only her agency's rows."""
    if writes_all(user):
        return
    for row, code in enumerate(cleaned["custodian_agency"]):
        if code is not None:
            scope_error(user, code, row, add_error)
