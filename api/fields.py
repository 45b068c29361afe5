"""Number fields whose values the database can hold, the same on SQLite and PostgreSQL.

An integer column holds PostgreSQL's range for its type (Django's standard ranges: 16 bits for a
small integer, 32 for an integer, 64 for a big integer and for every id); SQLite would store a
64-bit value in a column PostgreSQL refuses, so the bounds are PostgreSQL's on both, and a value
beyond them is a 400 naming the field instead of a database error. A float must be finite: DRF's
FloatField reads the strings "nan" and "inf" as floats.

`BoundedModelSerializer` applies both to the fields a ModelSerializer builds from the model;
declared fields use `FiniteFloatField` and `IdField` (or `integer_bounds`) themselves.
"""

from __future__ import annotations

import math

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
MAX_ID = INTEGER_RANGES["BigAutoField"][1]
NOT_FINITE = _("A finite number is required.")


def integer_range(model_field: models.Field) -> tuple[int, int] | None:
    """(min, max) of the column behind an integer model field (a foreign key: of its target's
    column), or None for a field that is not an integer."""
    if model_field.is_relation and getattr(model_field, "target_field", None) is not None:
        model_field = model_field.target_field
    return INTEGER_RANGES.get(model_field.get_internal_type())


def integer_bounds(kwargs: dict, bounds: tuple[int, int]) -> dict:
    """`kwargs` of an integer field narrowed to `bounds` (a tighter bound it has stays)."""
    low, high = bounds
    kwargs["min_value"] = max(kwargs.get("min_value", low), low)
    kwargs["max_value"] = min(kwargs.get("max_value", high), high)
    return kwargs


class FiniteFloatField(serializers.FloatField):
    """A FloatField that refuses NaN and infinities (a string such as "nan" parses as a float)."""

    default_error_messages = {"finite": NOT_FINITE}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("finite")
        return value


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802 - reads like a field class
    """An object id in a request body: 1 up to the largest id a column holds."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class BoundedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose built number fields take only what the column holds."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.FloatField: FiniteFloatField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        bounds = integer_range(model_field)
        if (
            bounds is not None
            and issubclass(field_class, serializers.IntegerField)
            and not kwargs.get("read_only")
        ):
            kwargs = integer_bounds(kwargs, bounds)
        return field_class, kwargs
