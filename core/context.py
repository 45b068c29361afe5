"""The request a write happens in: id, user, method, path and client address.

Set by `core.middleware.RequestContextMiddleware` for the duration of a request, read by the
audit trail. Outside a request (management commands, tests calling services) it is None.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    method: str
    path: str
    remote_addr: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "request_context", default=None
)


def current_request() -> RequestContext | None:
    return _current.get()


def set_request(context: RequestContext | None) -> contextvars.Token:
    return _current.set(context)


def reset_request(token: contextvars.Token) -> None:
    _current.reset(token)
