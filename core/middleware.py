"""Request id and context for the audit trail and the logs; query strings fit for a database;
request bodies of a bounded size; the API in UTC."""

import re
import uuid
from datetime import UTC

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.context import RequestContext, reset_request, set_request

# Django's own wording (ProhibitNullCharactersValidator), so its translations apply.
NULL_CHARACTERS = _("Null characters are not allowed.")

BODY_TOO_LARGE = _("The request body is too large: at most %(limit)s bytes are accepted here.")
LENGTH_REQUIRED = _("A request body needs a Content-Length header.")

# Accept a caller's (or the proxy's) X-Request-ID only when it looks like an id, not a payload.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_request(
            RequestContext(
                request_id=request_id,
                method=request.method,
                path=request.path[:300],
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request(token)
        response["X-Request-ID"] = request_id
        return response


class RejectNullCharactersMiddleware:
    """A query parameter holding a NUL character is a 400 naming the parameter.

    PostgreSQL text cannot hold NUL, so such a value reaching a query (a map filter, a search,
    the admin's search box) would end as a 500; form fields refuse it, hand-parsed parameters
    would not all think of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                field = name.replace("\x00", "") or "query"
                return JsonResponse({field: [str(NULL_CHARACTERS)]}, status=400)
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """A request body over its limit is a 413 before anything reads it.

    DRF's parsers read the body as a stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE (which
    only guards `request.body` and `request.POST`): a JSON body of any size was parsed in full.
    The declared length is checked against `API_MAX_UPLOAD_BYTES` for multipart uploads (the
    asset import's files) and `API_MAX_JSON_BYTES` for every other body. Django's WSGI request
    reads no more than the declared length, so a body without one (chunked) would be read as
    empty: that is a 411 rather than a request silently missing its data. The API answers
    `{"detail": ...}`, other paths a plain page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH")
        if not declared:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return _refusal(request, 411, str(LENGTH_REQUIRED))
            return self.get_response(request)
        try:
            length = int(declared)
        except ValueError:
            length = 0  # Django reads such a body as empty
        content_type = request.META.get("CONTENT_TYPE", "").lower()
        if content_type.startswith("multipart/"):
            limit = settings.API_MAX_UPLOAD_BYTES
        else:
            limit = settings.API_MAX_JSON_BYTES
        if length > limit:
            return _refusal(request, 413, BODY_TOO_LARGE % {"limit": limit})
        return self.get_response(request)


def _refusal(request, status: int, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class APIInUTCMiddleware:
    """The API speaks UTC (docs/ARCHITECTURE.md): times are written with `Z`; one sent without an
    offset is read as UTC. Pages for people (admin, map, sign-in) keep the city's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        with timezone.override(UTC):
            return self.get_response(request)


class ReleaseRenderedResponseMiddleware:
    """Lets a rendered DRF response, and the page it holds, be freed as soon as it is sent.

    DRF leaves the view and its response in a reference cycle (`view.response`, and the
    response's `renderer_context` holding the view), so a map page of 1,000 features outlived its
    request until the cyclic garbage collector came by: about 1,000 objects per request, and full
    collections of the whole process every few dozen map requests. Once the response is rendered
    neither link is needed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context and getattr(response, "is_rendered", False):
            view = context.get("view")
            if getattr(view, "response", None) is response:
                view.response = None
            response.renderer_context = None
        return response
