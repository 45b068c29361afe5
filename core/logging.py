"""Structured log lines: `time=... level=... logger=... message="..." key=value ...`.

One line per record, so an operator can grep and a collector can parse it. The `extra` fields of
a record (`logger.info("import done", extra={"rows": 10})`) follow the message. Values are quoted
when they hold spaces, quotes or `=`, and newlines and other control characters are escaped, so a
value taken from a request cannot forge a second log line (log injection).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(value: object) -> str:
    """The value as one token: control characters escaped, quoted if it holds space, = or "."""
    text = str(value)
    escaped = "".join(
        _ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 32 or ord(c) == 127 else c) for c in text
    )
    if escaped != text or not text or any(c in text for c in " ="):
        return f'"{escaped}"'
    return text


class KeyValueFormatter(logging.Formatter):
    """Formats a record as key=value pairs: time (UTC, ISO 8601), level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        pairs = [
            ("time", time),
            ("level", record.levelname),
            ("logger", record.name),
            ("message", record.getMessage()),
        ]
        pairs += [(k, v) for k, v in record.__dict__.items() if k not in _STANDARD]
        if record.exc_info:
            pairs.append(("exc_info", self.formatException(record.exc_info)))
        if record.stack_info:
            pairs.append(("stack_info", record.stack_info))
        return " ".join(f"{key}={_escape(value)}" for key, value in pairs)
