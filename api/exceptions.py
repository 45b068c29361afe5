"""The one exception handler: every error leaves in the shape docs/ARCHITECTURE.md states.

`{"field": ["message", ...]}` for bad input (400), `{"detail": "..."}` otherwise; Django's
ValidationError, Http404 and PermissionDenied, the domain's ApplicationError family (409 for a
Conflict), map-parameter GeometryErrors, and database integrity races all map here.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError
from core.validation import field_errors
from geodata.spatial import GeometryError

logger = logging.getLogger(__name__)

CONFLICT_MESSAGE = _("The request conflicts with the current state of the data.")
BAD_REQUEST_MESSAGE = _("Bad request: too many parameters or fields, or a malformed request.")

# DRF's own messages that its Indonesian catalogue lacks, in DRF's exact words so that ours
# translates them (and makemessages keeps them); DRF raises all but the last two.
INVALID_TOKEN = _("Invalid token.")
INVALID_TOKEN_HEADER = _("Invalid token header. No credentials provided.")
TOKEN_HEADER_SPACES = _("Invalid token header. Token string should not contain spaces.")
TOKEN_HEADER_CHARACTERS = _(
    "Invalid token header. Token string should not contain invalid characters."
)
METHOD_NOT_ALLOWED = _('Method "{method}" not allowed.')
MALFORMED_REQUEST = _("Malformed request.")
NOT_A_NUMBER = _("A valid number is required.")
NOT_A_BOOLEAN = _("Must be a valid boolean.")
NOT_A_LIST = _('Expected a list of items but got type "{input_type}".')
NOT_A_DICTIONARY = _("Invalid data. Expected a dictionary, but got {datatype}.")
NOT_A_STRING = _("Not a valid string.")
STRING_TOO_LONG = _("String value too large.")
LIST_EMPTY = _("This list may not be empty.")
LIST_TOO_LONG = _("Ensure this field has no more than {max_length} elements.")
PK_WRONG_TYPE = _("Incorrect type. Expected pk value, received {data_type}.")
DATETIME_OUT_OF_RANGE = _("Datetime value out of range.")
DATETIME_IN_ZONE = _('Invalid datetime for the timezone "{timezone}".')
EXPECTED_DATETIME = _("Expected a datetime but got a date.")
INVALID_PAGE = _("Invalid page.")
WAIT_SECOND = _("Expected available in {wait} second.")
WAIT_SECONDS = _("Expected available in {wait} seconds.")


def throttled_detail(wait: int | None) -> str:
    """DRF's Throttled message, translated: DRF fills in the seconds before it looks up the
    translation, so its "Expected available in N seconds." never matches a catalogue entry."""
    detail = str(exceptions.Throttled.default_detail)
    if wait is None:
        return detail
    # Two messages, as DRF has them (Indonesian has one form for both).
    extra = WAIT_SECOND if wait == 1 else WAIT_SECONDS
    return f"{detail} {str(extra).format(wait=wait)}"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, GeometryError):
        exc = exceptions.ValidationError({exc.param or "geometry": [exc.message]})
    elif isinstance(exc, ApplicationError):
        message = exc.message
        data = message if isinstance(message, dict) else {"detail": message}
        return Response(data, status=exc.status_code)
    elif isinstance(exc, IntegrityError):
        # A constraint caught a race the service could not see (e.g. two concurrent creates).
        logger.warning("Integrity error answered as 409: %s", type(exc).__name__)
        return Response({"detail": CONFLICT_MESSAGE}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    elif isinstance(exc, exceptions.Throttled) and exc.detail.startswith(str(exc.default_detail)):
        exc.detail = exceptions.ErrorDetail(throttled_detail(exc.wait), code=exc.default_code)
    return drf_exception_handler(exc, context)


# --- errors Django answers before (or outside) a DRF view -----------------------------------------
# An unrouted path under /api/, too many query or form fields, an uncaught error: API clients get
# the same JSON shape as from a view; every other path keeps Django's own pages.

API_PREFIX = "/api/"


def _api_error(request, status_code: int, detail, fallback, *args):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(detail)}, status=status_code)
    return fallback(request, *args)


def not_found(request, exception=None):
    return _api_error(
        request, 404, exceptions.NotFound.default_detail, defaults.page_not_found, exception
    )


def bad_request(request, exception=None):
    return _api_error(request, 400, BAD_REQUEST_MESSAGE, defaults.bad_request, exception)


def permission_denied(request, exception=None):
    return _api_error(
        request,
        403,
        exceptions.PermissionDenied.default_detail,
        defaults.permission_denied,
        exception,
    )


def server_error(request):
    return _api_error(request, 500, exceptions.APIException.default_detail, defaults.server_error)
