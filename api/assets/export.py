"""The HTTP side of `GET /api/v1/assets/export/`: paging parameters, a per-process limit on
exports running at once, and the streamed response.

An export of the whole register is long and heavy next to a map request. Without a bound,
20 concurrent CSV exports of 50,000 assets held every gunicorn thread for tens of seconds and
`/healthz` timed out; now each process runs at most `EXPORT_MAX_CONCURRENT` exports (the rest
answer 503 with Retry-After at once), each streams in chunks, and one export holds at most
`EXPORT_MAX_ROWS` rows.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from api.pagination import _non_negative_int
from assets_app.exporting import EXPORT_FORMATS, assets_export_stream

EXPORTS_BUSY = _("Too many exports are running; try again in a few seconds.")
# Seconds a client is told to wait when every export slot is taken.
BUSY_RETRY_AFTER = 5
# Past this, PostgreSQL's OFFSET (a bigint) and SQLite's integers overflow: a 400, not a 500.
MAX_OFFSET = 2**31


class ExportsBusy(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = EXPORTS_BUSY
    default_code = "exports_busy"
    wait = BUSY_RETRY_AFTER


_slots_lock = threading.Lock()
_running = 0


def export_slot_take() -> None:
    """Take one of this process' export slots, or raise ExportsBusy. The limit is per process
    (gunicorn runs several): it keeps threads free for other requests in every worker."""
    global _running
    with _slots_lock:
        if _running >= settings.EXPORT_MAX_CONCURRENT:
            raise ExportsBusy()
        _running += 1


def export_slot_release() -> None:
    global _running
    with _slots_lock:
        _running = max(0, _running - 1)


def exports_running() -> int:
    return _running


class _SlotStream:
    """The chunks, giving the slot back when the server closes the response: Django calls an
    iterable's `close()` then, whether the stream ran to its end, broke off, or never began
    (a generator's `finally` would not run for a stream never started). A response dropped
    unclosed gives it back when it is freed, so a slot can never leak."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._release = weakref.finalize(self, export_slot_release)

    def __iter__(self):
        return iter(self._chunks)

    def close(self) -> None:
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            self._release()  # once only, however often close() is called


def export_paging(request) -> tuple[int | None, int]:
    """`limit` (1..EXPORT_MAX_ROWS, unset: the whole match, if within it) and `offset`."""
    limit = _non_negative_int(request, "limit", None, minimum=1, maximum=settings.EXPORT_MAX_ROWS)
    offset = _non_negative_int(request, "offset", 0, minimum=0, maximum=MAX_OFFSET)
    return limit, offset


def export_response(*, queryset, file_format: str) -> StreamingHttpResponse:
    """The export as a streamed attachment, holding one of this process' export slots from now
    until the server closes the response (ExportsBusy when none is free)."""
    media_type, suffix = EXPORT_FORMATS[file_format]
    export_slot_take()
    stream = _SlotStream(assets_export_stream(queryset=queryset, file_format=file_format))
    try:
        response = StreamingHttpResponse(stream, content_type=media_type)
        response["Content-Disposition"] = f'attachment; filename="assets.{suffix}"'
    except BaseException:
        stream.close()
        raise
    return response
