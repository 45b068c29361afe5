"""Record writes in the audit trail.

Every model with django-simple-history is audited: simple_history already emits a signal when it
writes a historical row, so the trail hooks in there once instead of in every service. Fields
that must never be read back whole (e.g. a vendor's encrypted NIK) are listed in
`REDACTED_FIELDS` and recorded only as "changed". Bulk writes, which bypass those signals, call
`audit_record` themselves.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from core.context import current_request
from core.models import AuditAction, AuditEvent

HISTORY_ACTIONS = {"+": AuditAction.CREATE, "~": AuditAction.UPDATE, "-": AuditAction.DELETE}
REDACTED_FIELDS = frozenset({"nik_encrypted", "nik_hash", "nik", "password"})
REDACTED = "<redacted>"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


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
        object_repr=object_repr[:200],
        changes=changes or {},
        request_id=request.request_id if request else "",
        method=request.method if request else "",
        path=request.path if request else "",
        remote_addr=request.remote_addr if request else None,
    )


def _changes(history_instance) -> dict:
    """Field -> [old, new] against the previous historical row (all fields on creation)."""
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
        if name in REDACTED_FIELDS:
            changes[name] = [REDACTED, REDACTED]
        else:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def on_historical_record(sender, history_instance, history_user=None, **kwargs) -> None:
    instance_model: type[models.Model] = history_instance.instance_type
    audit_record(
        action=HISTORY_ACTIONS.get(history_instance.history_type, AuditAction.UPDATE),
        object_type=instance_model._meta.label_lower,
        object_id=str(getattr(history_instance, "id", "")),
        object_repr=str(history_instance.instance)[:200],
        user=history_user,
        changes=_changes(history_instance),
    )
