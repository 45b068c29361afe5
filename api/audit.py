"""`GET /api/v1/audit/`: the audit trail for staff, filtered by object, user, action and time.

Every staff role reads it, so no event is served with personal data: `core.audit.audit_public`
redacts each event's changes and name on the way out, old events included.
"""

from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers, viewsets

from api.filters import StrictOrderingFilter
from api.permissions import RolePermission
from core.audit import audit_public
from core.models import AuditAction, AuditEvent
from core.roles import STAFF_ROLES


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "username",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
            "method",
            "path",
            "remote_addr",
        ]

    def to_representation(self, instance):
        return {**super().to_representation(instance), **audit_public(instance)}


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned to UTC here: PostgreSQL refuses offsets past 15:59 (Python takes
    up to 23:59), and an instant near year 1 or 9999 may not exist in UTC at all (both were
    500s)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class AuditEventFilterSet(django_filters.FilterSet):
    object_type = django_filters.CharFilter(help_text="e.g. assets_app.asset")
    object_id = django_filters.CharFilter()
    user = django_filters.CharFilter(field_name="username", help_text="username")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    request_id = django_filters.CharFilter()
    since = UTCIsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = UTCIsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "user", "action", "request_id", "since", "until"]


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    filterset_class = AuditEventFilterSet
    filter_backends = [*viewsets.ReadOnlyModelViewSet.filter_backends, StrictOrderingFilter]
    ordering_fields = ["at", "id"]
    ordering = ["-at", "-id"]
