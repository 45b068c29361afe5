"""What the operations views share: lookups that hide other vendors' objects."""

from django.http import Http404

from api.outlets.views._common import ID_REGEX, _validated
from core.roles import OUTLET_MANAGER, PLANNER, has_role
from outlets.models import Lease, Outlet, Stall

__all__ = ["ID_REGEX", "_validated", "lease_for", "outlet_for", "stall_for"]


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
