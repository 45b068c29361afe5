"""The one exception handler: every error leaves in the shape DESIGN.md states.

`{"field": ["message", ...]}` for bad input (400), `{"detail": "..."}` otherwise; Django's
ValidationError, Http404 and PermissionDenied, the domain's ApplicationError family (409 for a
Conflict), map-parameter GeometryErrors, and database integrity races all map here.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError
from geodata.spatial import GeometryError

logger = logging.getLogger(__name__)

CONFLICT_MESSAGE = _("The request conflicts with the current state of the data.")


def django_validation_error_detail(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        detail = {}
        for field, errors in exc.message_dict.items():
            key = "non_field_errors" if field == "__all__" else field
            detail[key] = list(errors)
        return detail
    return {"non_field_errors": list(exc.messages)}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_error_detail(exc))
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
    return drf_exception_handler(exc, context)
