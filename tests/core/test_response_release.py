"""A rendered API response, and the page it holds, is freed as soon as the server drops it,
not left in a reference cycle for the garbage collector (core.middleware)."""

import gc
import io
import weakref
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from core.roles import PLANNER

pytestmark = pytest.mark.django_db


def _get(handler, path, query, token):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }
    statuses = []
    response = handler(environ, lambda status, headers: statuses.append(status))
    return response, statuses


@contextmanager
def _connection_kept():
    """As Django's test client does: the test's connection (and its transaction) stays open
    across the request's started and finished signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("query", ["format=geojson&limit=1000", "format=json"])
def test_a_map_page_is_freed_when_the_server_drops_the_response(make_user, make_asset, query):
    # given: a planner and a few assets
    token, _ = Token.objects.get_or_create(user=make_user(PLANNER))
    for i in range(3):
        make_asset(register_code=f"A-{i}", lon=106.816 + i * 0.0005, lat=-6.372)
    handler = WSGIHandler()

    # when: the server sends the response and lets it go, with the cycle collector off
    gc.collect()
    gc.disable()
    try:
        with _connection_kept():
            response, statuses = _get(handler, "/api/v1/assets/", query, token.key)
            assert statuses == ["200 OK"]
            body = b"".join(response)
            released = weakref.ref(response)
            response.close()
            del response

        # then: reference counting alone freed it (DRF's view <-> response cycle is broken)
        assert released() is None
    finally:
        gc.enable()
    assert b"A-2" in body
