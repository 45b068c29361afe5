"""`properties=name,use,status`: a list answers only the properties asked for (OGC API Features).

One implementation for every map list (assets, outlets; JSON and GeoJSON): `PropertiesFilter`
parses and checks the names against the view's serializer fields (an unknown name is a 400
naming `properties`) and documents the parameter in OpenAPI; `MapListMixin` then keeps, of each
item, its `id`, its `geometry` and the names asked for (`project_items`). A map that draws a
name, a use and a status need not receive the register's 27 fields per feature.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from api.renderers import FeatureList

PROPERTIES_PARAM = "properties"
# Always sent: what identifies and places a feature.
ALWAYS = ("id", "geometry")
MAX_NAMES = 64
NAME_PATTERN = r"^[a-z0-9_]{1,40}(,[a-z0-9_]{1,40}){0,63}$"

UNKNOWN_PROPERTIES = _("Unknown property %(names)s; the properties are: %(allowed)s.")
PROPERTIES_EMPTY = _("Name at least one property, separated by commas.")
PROPERTIES_TOO_MANY = _("At most %(max)s properties.")


def allowed_properties(view) -> tuple[str, ...]:
    """The names a view's list items carry (its serializer's fields), less id and geometry."""
    serializer_class = view.get_serializer_class()
    fields = getattr(getattr(serializer_class, "Meta", None), "fields", None)
    if not isinstance(fields, list | tuple):
        fields = list(serializer_class().fields)
    return tuple(name for name in fields if name not in ALWAYS)


def parse_properties(value: str | None, allowed: Iterable[str]) -> tuple[str, ...] | None:
    """The names asked for, in the order given and without repeats; None when not asked."""
    if value is None:
        return None
    names = [part.strip() for part in value.split(",")]
    names = [name for name in names if name]
    if not names:
        raise ValidationError({PROPERTIES_PARAM: [str(PROPERTIES_EMPTY)]})
    if len(names) > MAX_NAMES:
        raise ValidationError({PROPERTIES_PARAM: [PROPERTIES_TOO_MANY % {"max": MAX_NAMES}]})
    allowed = tuple(allowed)
    known = set(allowed) | set(ALWAYS)
    unknown = [name for name in names if name not in known]
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        message = UNKNOWN_PROPERTIES % {"names": shown, "allowed": ", ".join(allowed)}
        raise ValidationError({PROPERTIES_PARAM: [message]})
    return tuple(dict.fromkeys(name for name in names if name not in ALWAYS))


def properties_from_request(request, view) -> tuple[str, ...] | None:
    return parse_properties(request.query_params.get(PROPERTIES_PARAM), allowed_properties(view))


def project_items(items: list, names: tuple[str, ...]) -> list:
    """Each item with only `id`, `geometry` and `names` (a Feature keeps its shape, and its
    properties their `id`, as every GeoJSON list of the API shows it)."""
    if isinstance(items, FeatureList):
        projected = FeatureList()
        keep = ("id", *names)
        for feature in items:
            properties = feature["properties"]
            projected.append(
                {
                    "type": "Feature",
                    "id": feature["id"],
                    "geometry": feature["geometry"],
                    "properties": {n: properties[n] for n in keep if n in properties},
                }
            )
        return projected
    keep = (*ALWAYS, *names)
    return [{n: item[n] for n in keep if n in item} for item in items]


class PropertiesFilter(BaseFilterBackend):
    """Checks `properties=` (400 naming it) and documents it; the list does the projecting."""

    properties_param = PROPERTIES_PARAM

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "list":
            properties_from_request(request, view)
        return queryset

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.properties_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "Comma-separated property names: each item carries only these, with its "
                        "id and geometry (OGC API Features). Unknown names are a 400."
                    )
                ),
                "schema": {"type": "string", "pattern": NAME_PATTERN, "maxLength": 2600},
                "explode": False,
            }
        ]


__all__ = [
    "PROPERTIES_PARAM",
    "PropertiesFilter",
    "allowed_properties",
    "parse_properties",
    "project_items",
    "properties_from_request",
]
