"""Domain errors that carry their HTTP meaning without the domain importing the API layer.

Services raise `django.core.exceptions.ValidationError` for bad input (400 keyed by field),
`PermissionDenied` for a forbidden act (403), and these for the rest. The API's single
exception handler turns each into the error shape of docs/ARCHITECTURE.md.
"""


class ApplicationError(Exception):
    """A domain error with a status code and a message (or a field -> messages mapping)."""

    status_code = 400
    default_code = "error"

    def __init__(self, message: str | dict, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code


class Conflict(ApplicationError):
    """The request is valid but clashes with the current state (409)."""

    status_code = 409
    default_code = "conflict"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"
