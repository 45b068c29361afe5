"""Record writes in the audit trail, and serve it without personal data.

Every model with django-simple-history is audited: simple_history already emits a signal when it
writes a historical row, so the trail hooks in there once instead of in every service. Bulk
writes, which bypass those signals, call `audit_record` themselves.

The trail is read by every staff role, planners included, so it holds no personal data. Secrets
(`REDACTED_FIELDS`, e.g. a vendor's encrypted NIK) and the fields a model lists in its
`personal_fields` class attribute (a vendor's name, masked NIK, birth date, gender, phone and home
kelurahan) are recorded only as "changed", and such a model's rows are named by type and id, not
by `str()`. Together those fields rebuild most of a NIK, so none of them may be read back.
`audit_public` applies the same rule when the trail is served, which also covers events written
before a field was listed.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from core.context import current_request
from core.models import AuditAction, AuditEvent

HISTORY_ACTIONS = {"+": AuditAction.CREATE, "~": AuditAction.UPDATE, "-": AuditAction.DELETE}
# Never recorded whole on any model (personal-data models add their own `personal_fields`).
REDACTED_FIELDS = frozenset(
    {"nik_encrypted", "nik_hash", "nik", "nik_masked", "password", "email", "birth_date"}
)
REDACTED = "<redacted>"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def hidden_fields(object_type: str) -> frozenset[str]:
    """The fields of `object_type` ("app.model") whose values the trail never shows."""
    model = _model(object_type)
    return REDACTED_FIELDS | frozenset(getattr(model, "personal_fields", ()))


def _is_personal(object_type: str) -> bool:
    return bool(getattr(_model(object_type), "personal_fields", ()))


def _safe_repr(object_type: str, object_id: str, text: str) -> str:
    # A person's `str()` would name her (a vendor's held her name and masked NIK).
    if _is_personal(object_type):
        return f"{object_type} {object_id}"
    return text[:200]


def redact_changes(object_type: str, changes: dict) -> dict:
    """`changes` with every hidden field's old and new value replaced by REDACTED."""
    hidden = hidden_fields(object_type)
    if not isinstance(changes, dict):
        return {}
    return {
        name: [REDACTED, REDACTED] if name in hidden else value for name, value in changes.items()
    }


def audit_public(event: AuditEvent) -> dict:
    """The `changes` and `object_repr` of an event as the trail may show them."""
    return {
        "changes": redact_changes(event.object_type, event.changes),
        "object_repr": _safe_repr(event.object_type, event.object_id, event.object_repr),
    }


def audit_record(
    *,
    action: str,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    user=None,
    changes: dict | None = None,
) -> AuditEvent:
    request = current_request()
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        at=timezone.now(),
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=_safe_repr(object_type, str(object_id), object_repr),
        changes=redact_changes(object_type, changes or {}),
        request_id=request.request_id if request else "",
        method=request.method if request else "",
        path=request.path if request else "",
        remote_addr=request.remote_addr if request else None,
    )


def _changes(history_instance) -> dict:
    """Field -> [old, new] against the previous historical row (all fields on creation); hidden
    fields are redacted by `audit_record`."""
    tracked = [f.attname for f in history_instance.instance_type._meta.concrete_fields]
    tracked = [name for name in tracked if name not in {"id", "created_at", "updated_at"}]
    previous = history_instance.prev_record if history_instance.history_type == "~" else None
    changes: dict[str, list] = {}
    for name in tracked:
        if not hasattr(history_instance, name):
            continue
        new = getattr(history_instance, name)
        old = getattr(previous, name, None) if previous is not None else None
        if previous is not None and old == new:
            continue
        if history_instance.history_type == "+" and new in (None, "", {}, []):
            continue
        changes[name] = [_plain(old), _plain(new)]
    return changes


def on_historical_record(sender, history_instance, history_user=None, **kwargs) -> None:
    instance_model: type[models.Model] = history_instance.instance_type
    object_type = instance_model._meta.label_lower
    object_id = str(getattr(history_instance, "id", ""))
    audit_record(
        action=HISTORY_ACTIONS.get(history_instance.history_type, AuditAction.UPDATE),
        object_type=object_type,
        object_id=object_id,
        # Not str() of a personal row at all: building it may already read what it must not.
        object_repr="" if _is_personal(object_type) else str(history_instance.instance)[:200],
        user=history_user,
        changes=_changes(history_instance),
    )
