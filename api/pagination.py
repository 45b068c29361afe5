"""`limit`/`offset` paging as DESIGN.md states it, strict about bad values (400 naming them)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
NOT_WHOLE_NUMBER = _("Must be a whole number, got %(value)r.")
BELOW_MINIMUM = _("Must be at least %(minimum)s.")
OUT_OF_RANGE = _("Must be at least %(minimum)s and at most %(maximum)s.")


def _non_negative_int(request, name: str, default: int, *, minimum: int, maximum: int | None):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [NOT_WHOLE_NUMBER % {"value": raw}]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            raise ValidationError({name: [BELOW_MINIMUM % {"minimum": minimum}]})
        raise ValidationError({name: [OUT_OF_RANGE % {"minimum": minimum, "maximum": maximum}]})
    return value


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return _non_negative_int(
            request, self.limit_query_param, self.default_limit, minimum=1, maximum=self.max_limit
        )

    def get_offset(self, request):
        return _non_negative_int(request, self.offset_query_param, 0, minimum=0, maximum=None)
