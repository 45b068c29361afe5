"""Request id and context for the audit trail and the logs."""

import re
import uuid

from core.context import RequestContext, reset_request, set_request

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
