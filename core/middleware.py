"""Request id and context for the audit trail and the logs; query strings fit for a database;
the API in UTC."""

import re
import uuid
from datetime import UTC

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.context import RequestContext, reset_request, set_request

# Django's own wording (ProhibitNullCharactersValidator), so its translations apply.
NULL_CHARACTERS = _("Null characters are not allowed.")

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
