"""Schema constraints that match what the service validates (for clients and for the fuzz).

A client reading the OpenAPI schema, and schemathesis generating "valid" input from it, should
find that what the schema allows is, for the most part, what the service accepts. Where the
validation lives in a service rather than in the serializer (the NIK, the phone number, the
kelurahan, a geometry inside Kota Depok), these field classes carry the same rule into the
schema; the service stays the one place that enforces it.

- `api.schema.StrictAutoSchema` marks a request body `additionalProperties: false` when its
  serializer refuses unknown fields (`rejects_unknown_fields = True`).
- `PatternCharField` is a CharField whose schema has a `pattern` (validation unchanged).
- `GeometryInputField` is a write geometry: a Point inside the city's extent, or a Polygon /
  MultiPolygon with closed rings of lon/lat pairs.
"""

from __future__ import annotations

import math
import re

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from api.schema import GEOMETRY_SCHEMA
from outlets.nik import PROVINCE_CODES

# Two digits 01-99 (a regency or kecamatan code is never 00).
_NOT_00 = "(0[1-9]|[1-9][0-9])"
# Day of birth: 01-31, plus 40 for women (41-71); month 01-12; sequence never 0000.
_DAY = "(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])"
_MONTH = "(0[1-9]|1[0-2])"
_SEQUENCE = "([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
# The NIK's shape as `outlets.nik.nik_parse` checks it (a calendar date, an age and Depok's
# kecamatan count are checked there too, beyond what a pattern says).
NIK_PATTERN = (
    f"^({'|'.join(sorted(PROVINCE_CODES))}){_NOT_00}{_NOT_00}{_DAY}{_MONTH}[0-9]{{2}}{_SEQUENCE}$"
)
# Text the service keeps after trimming: at least one character that is not white space.
TEXT_PATTERN = r"\S"
# A NIB (business identification number) is 13 digits; blank when the business has none yet.
NIB_PATTERN = r"^([0-9]{13})?$"
# Django's password validators refuse a password of digits only (and under 8 characters).
PASSWORD_PATTERN = r"[^0-9]"
# Django's UnicodeUsernameValidator, in the ASCII words a JSON Schema regex knows.
USERNAME_PATTERN = r"^[A-Za-z0-9_.@+-]+$"


class PatternCharField(serializers.CharField):
    """A CharField that documents the `pattern` its value must match (the service checks it)."""

    def __init__(self, *, pattern, schema_min_length: int | None = None, **kwargs):
        # A callable is read when the schema is built (e.g. from the boundary data).
        self.schema_pattern = pattern
        self.schema_min_length = schema_min_length
        super().__init__(**kwargs)


class PatternCharFieldExtension(OpenApiSerializerFieldExtension):
    target_class = PatternCharField

    def map_serializer_field(self, auto_schema, direction):
        schema = build_basic_type(OpenApiTypes.STR)
        pattern = self.target.schema_pattern
        schema["pattern"] = pattern() if callable(pattern) else pattern
        if self.target.max_length is not None:
            schema["maxLength"] = self.target.max_length
        min_length = self.target.schema_min_length or self.target.min_length
        if min_length is not None:
            schema["minLength"] = min_length
        if self.target.allow_null:
            schema["nullable"] = True
        return schema


def kelurahan_code_pattern() -> str:
    """One of Kota Depok's kelurahan codes, or blank (no domicile given)."""
    from geodata import boundaries

    codes = sorted(b.code for b in boundaries.kelurahan())
    return "^(" + "|".join(re.escape(code) for code in codes) + ")?$"


class GeometryInputField(serializers.JSONField):
    """A GeoJSON geometry to write; the asset services validate it."""


def _city_extent() -> tuple[float, float, float, float]:
    from geodata import boundaries

    return boundaries.city_outline().bounds


def _floor(value: float) -> float:
    return math.floor(value * 1000) / 1000


def _ceil(value: float) -> float:
    return math.ceil(value * 1000) / 1000


def geometry_input_schema() -> dict:
    """A Point inside the city's extent (a point outside Kota Depok is refused), or a Polygon or
    MultiPolygon of closed rings of [lon, lat] (the services check closure and validity)."""
    min_lon, min_lat, max_lon, max_lat = _city_extent()
    lon_lat = {"type": "number", "minimum": -180, "maximum": 180}
    ring = {
        "type": "array",
        "minItems": 4,
        "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": lon_lat},
    }
    # OpenAPI 3.0 cannot type each member of a pair: each number is a longitude or a latitude
    # within the city's extent (a point outside Kota Depok is refused by the service anyway).
    point_coordinates = {
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "items": {
            "anyOf": [
                {"type": "number", "minimum": _floor(min_lon), "maximum": _ceil(max_lon)},
                {"type": "number", "minimum": _floor(min_lat), "maximum": _ceil(max_lat)},
            ]
        },
    }
    return {
        "description": (
            f"{GEOMETRY_SCHEMA['description']} Inside Kota Depok (lon "
            f"{min_lon:.3f}..{max_lon:.3f}, lat {min_lat:.3f}..{max_lat:.3f})."
        ),
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Point"]},
                    "coordinates": point_coordinates,
                },
                "required": ["type", "coordinates"],
            },
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["Polygon"]},
                    "coordinates": {"type": "array", "minItems": 1, "items": ring},
                },
                "required": ["type", "coordinates"],
            },
            {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": ["MultiPolygon"]},
                    "coordinates": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "array", "minItems": 1, "items": ring},
                    },
                },
                "required": ["type", "coordinates"],
            },
        ],
    }


class GeometryInputFieldExtension(OpenApiSerializerFieldExtension):
    target_class = GeometryInputField

    def map_serializer_field(self, auto_schema, direction):
        return geometry_input_schema()
