"""The asset list's plain filters (django-filter); the map filters come from `api.filters`.

Every value is checked: an unknown `use`, `status` or `facility_type`, a non-boolean
`repurposable`, a malformed or negative area is a 400 naming its parameter (DjangoFilterBackend
raises on an invalid form).
"""

import math

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from assets_app.models import Asset, FacilityType, Status, Use

UNKNOWN_CHOICE = _("Unknown value {value!r}; use one of: {allowed}.")
NOT_BOOLEAN = _("Use true or false.")
AREA_NOT_A_NUMBER = _("Must be a finite number of square metres.")
AREA_NEGATIVE = _("Must be zero or more.")
AREA_RANGE_REVERSED = _("min_land_area is greater than max_land_area.")
EMPTY_LIST = _("Give at least one value.")


def unknown_choice(value: str, allowed: list[str]) -> forms.ValidationError:
    # The message quotes what the client sent, and django-filter %-formats every message: pass
    # it as a parameter, so a "%s" in the query is text, not a format (that was a 500).
    message = str(UNKNOWN_CHOICE).format(value=value, allowed=", ".join(allowed))
    return forms.ValidationError("%(message)s", params={"message": message})


class StrictChoiceField(forms.Field):
    """One of `choices`; anything else is a 400 naming the value and what is allowed."""

    null_label = None  # read by drf-spectacular's filter extension

    def __init__(self, *, choices, null_label=None, **kwargs):
        self.choices = list(choices)
        self.allowed = [value for value, _label in self.choices]
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value not in self.allowed:
            raise unknown_choice(value, self.allowed)
        return value


class ChoiceListField(StrictChoiceField):
    """A comma-separated list whose every item must be one of `choices`."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        items = [item.strip() for item in str(value).split(",") if item.strip()]
        if not items:
            raise forms.ValidationError(str(EMPTY_LIST))
        for item in items:
            if item not in self.allowed:
                raise unknown_choice(item, self.allowed)
        return items


class StrictBooleanField(forms.Field):
    TRUE = {"true", "1", "yes"}
    FALSE = {"false", "0", "no"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(str(NOT_BOOLEAN))


class AreaField(forms.Field):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise forms.ValidationError(str(AREA_NOT_A_NUMBER)) from None
        if not math.isfinite(number):
            raise forms.ValidationError(str(AREA_NOT_A_NUMBER))
        if number < 0:
            raise forms.ValidationError(str(AREA_NEGATIVE))
        return number


@extend_schema_field(OpenApiTypes.STR)
class ChoiceListFilter(django_filters.Filter):
    field_class = ChoiceListField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class StrictChoiceFilter(django_filters.ChoiceFilter):
    field_class = StrictChoiceField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


# Negative areas are refused (`AreaField`), so the schema says so.
@extend_schema_field({"type": "number", "minimum": 0})
class AreaFilter(django_filters.Filter):
    field_class = AreaField


class AssetFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_land_area"), cleaned.get("max_land_area")
        if low is not None and high is not None and low > high:
            self.add_error("min_land_area", str(AREA_RANGE_REVERSED))
        return cleaned


class AssetFilterSet(django_filters.FilterSet):
    use = ChoiceListFilter(
        choices=Use.choices, help_text=_("Comma list of uses, e.g. education,health.")
    )
    status = StrictChoiceFilter(choices=Status.choices, help_text=_("One status."))
    facility_type = StrictChoiceFilter(
        choices=FacilityType.choices, help_text=_("One facility type, e.g. sd.")
    )
    repurposable = StrictBooleanFilter(help_text=_("true or false: the last assessment's answer."))
    min_land_area = AreaFilter(
        field_name="land_area_m2", lookup_expr="gte", help_text=_("Land area at least (m²).")
    )
    max_land_area = AreaFilter(
        field_name="land_area_m2", lookup_expr="lte", help_text=_("Land area at most (m²).")
    )
    q = django_filters.CharFilter(
        method="filter_text", help_text=_("Text in the register code, name or address.")
    )

    class Meta:
        model = Asset
        fields = ["use", "status", "facility_type", "repurposable"]
        form = AssetFilterForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(register_code__icontains=value)
            | Q(name__icontains=value)
            | Q(address__icontains=value)
        )
