"""`limit`/`offset` paging, strict about bad values (400 naming them).

The offset is bounded too: it is written into the SQL as a number, and one past a 64-bit integer
(with the limit added) is a database error, on SQLite an integrity error (a 409) and on
PostgreSQL a 500.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_OFFSET = 2**63 - 1 - MAX_LIMIT
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
        return _non_negative_int(request, self.offset_query_param, 0, minimum=0, maximum=MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        """DRF's limit and offset parameters, with the bounds `get_limit`/`get_offset` hold."""
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's paging, but the page is read first: a page shorter than the limit tells the
        count without a COUNT query (most lists: a vendor's applications, a map's few features).
        """
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        page = list(queryset[self.offset : self.offset + self.limit])
        if len(page) < self.limit and (page or self.offset == 0):
            self.count = self.offset + len(page)
        else:
            self.count = self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return page
