"""The API's JSON parser: DRF's JSONParser, read with orjson and bounded in depth.

DRF's parser reads with the standard library, which turns JSON nested a thousand levels deep into
a RecursionError (a 500) and a number beyond a double's range, such as `1e309`, into an infinity
that reaches the fields. Here the body is read by orjson, which refuses both (and NaN); a body
nested deeper than `MAX_DEPTH` is a 400 too (no request shape needs more than a few levels: a
MultiPolygon inside an asset is six), and a number too large for a double is a 400 naming the
top-level field that holds it. The body's size is bounded before it is read
(`core.middleware.RequestBodyLimitMiddleware`).
"""

from __future__ import annotations

import json
import math
import re

import orjson
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

import numpy as np

from api.fields import NOT_FINITE

MAX_DEPTH = 64

# DRF's wording ("JSON parse error - ..."), which DRF itself does not mark for translation.
JSON_PARSE_ERROR = _("JSON parse error - %(error)s")
JSON_TOO_DEEP = _("JSON parse error - nested deeper than %(limit)s levels.")

# A JSON string (its brackets are text, not structure), and every byte that is not a bracket.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_OPENING = np.frombuffer(b"[{", dtype=np.uint8)


def json_depth(raw: bytes, *, at_most: int) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar), or a number not
    above `at_most` when it surely nests no deeper than that."""
    if raw.count(b"[") + raw.count(b"{") <= at_most:
        return at_most
    brackets = np.frombuffer(_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS), np.uint8)
    if not brackets.size:
        return 0
    steps = np.where(np.isin(brackets, _OPENING), 1, -1)
    return int(np.cumsum(steps).max())


def _holds_non_finite(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _not_finite_error(raw: bytes) -> Exception:
    """The 400 for a body holding a number too large for a double, naming its top-level field.

    The standard library reads such a number as an infinity, which shows where it is; the body
    is valid JSON as far as orjson read it, and no deeper than MAX_DEPTH.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return ParseError(JSON_PARSE_ERROR % {"error": exc})
    if isinstance(data, dict):
        for key, value in data.items():
            if _holds_non_finite(value):
                return ValidationError({key: [NOT_FINITE]})
    return ParseError(NOT_FINITE)


class JSONParser(parsers.JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding") or settings.DEFAULT_CHARSET
        raw = stream.read()
        if encoding.lower().replace("-", "").replace("_", "") != "utf8":
            try:
                raw = raw.decode(encoding).encode()
            except (LookupError, UnicodeError) as exc:
                raise ParseError(JSON_PARSE_ERROR % {"error": exc}) from None
        too_deep = ParseError(JSON_TOO_DEEP % {"limit": self.max_depth})
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            reason = str(exc)
            if reason.startswith("depth limit exceeded"):
                raise too_deep from None
            if reason.startswith("number is infinity"):
                if json_depth(raw, at_most=self.max_depth) > self.max_depth:
                    raise too_deep from None
                raise _not_finite_error(raw) from None
            raise ParseError(JSON_PARSE_ERROR % {"error": reason}) from None
        if json_depth(raw, at_most=self.max_depth) > self.max_depth:
            raise too_deep
        return data
