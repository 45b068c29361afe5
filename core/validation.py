"""Django's ValidationError as the API's field errors: the one conversion both layers use.

The exception handler turns a service's ValidationError into `{"field": ["message", ...]}`;
a service that validates many items at once (stalls in bulk) keys each item's errors with a
prefix (`"0.code"`). Both go through `field_errors`, so `__all__` is named the same everywhere.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

NON_FIELD_ERRORS = "non_field_errors"


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, list]:
    """`{prefix + field: [messages]}`, with Django's `__all__` (or a bare error) as
    `non_field_errors`."""
    if hasattr(exc, "error_dict"):
        return {
            f"{prefix}{NON_FIELD_ERRORS if field == '__all__' else field}": list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {f"{prefix}{NON_FIELD_ERRORS}": list(exc.messages)}
