"""What the operations views share: lookups that hide other vendors' objects, and the shape of
a viewset that lists its objects and creates one (schema and the 201 answer)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from api.outlets.views._common import ID_REGEX, _validated
from api.permissions import RolePermission
from api.schema import errors
from core.roles import OUTLET_MANAGER, PLANNER, has_role
from outlets.models import Lease, Outlet, Stall

__all__ = [
    "ID_REGEX",
    "ListCreateViewSet",
    "_validated",
    "lease_for",
    "list_and_create",
    "outlet_for",
    "stall_for",
]

LIST_ERRORS = (400, 401, 403)
CREATE_ERRORS = (400, 401, 403, 409)


def list_and_create(*, serializer, listed: str, created: str, request, create_errors=CREATE_ERRORS):
    """The schema of a list-and-create viewset: the list answers `serializer` many, creating
    answers 201 with one; `request` is the input serializer (or a content-type mapping)."""
    return extend_schema_view(
        list=extend_schema(
            summary=listed, responses={200: serializer(many=True), **errors(*LIST_ERRORS)}
        ),
        create=extend_schema(
            summary=created,
            request=request,
            responses={201: serializer, **errors(*create_errors)},
        ),
    )


# Lists with the subclass's selector; `create` is each subclass's, answered by `created`. (A
# comment, not a docstring: the schema would show a docstring on every operation.)
class ListCreateViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]

    def created(self, obj) -> Response:
        return Response(self.serializer_class(obj).data, status=status.HTTP_201_CREATED)


def lease_for(user, lease_id: int, *, field: str | None = None) -> Lease:
    """The lease, if the caller may see it (staff: any; a vendor: her own). Else a 404, or a
    400 naming `field` when the id came in a body."""
    leases = Lease.objects.select_related("stall", "vendor")
    if not has_role(user, OUTLET_MANAGER, PLANNER):
        leases = leases.filter(vendor__user=user)
    lease = leases.filter(pk=lease_id).first()
    if lease is None:
        _missing(field)
    return lease


def outlet_for(outlet_id: int, *, field: str | None = None) -> Outlet:
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        _missing(field)
    return outlet


def stall_for(stall_id: int, *, field: str | None = None) -> Stall:
    stall = Stall.objects.filter(pk=stall_id).first()
    if stall is None:
        _missing(field)
    return stall


def _missing(field: str | None):
    if field is None:
        raise Http404
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _

    raise ValidationError({field: [_("No such object.")]})
