"""Offers (accept, decline) and leases (terminate)."""

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.outlets import serializers as s
from api.outlets.views._common import (
    ID_REGEX,
    _validated,
)
from api.permissions import RolePermission
from api.schema import errors
from api.throttles import VendorWriteThrottle
from core.roles import OUTLET_MANAGER, PLANNER, VENDOR, has_role
from outlets import selectors, services
from outlets.models import Lease, Offer


@extend_schema_view(
    list=extend_schema(
        summary="Offers (a vendor sees her own)",
        responses={200: s.OfferSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One offer", responses={200: s.OfferSerializer, **errors(401, 403, 404)}
    ),
)
class OfferViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.OfferSerializer
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER, PLANNER, VENDOR)
    action_roles = {"accept": (VENDOR,), "decline": (VENDOR,)}
    throttle_classes = [VendorWriteThrottle]
    throttle_scope = "vendor_write"
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Offer.objects.none()
        return selectors.offer_list(user=self.request.user)

    def _respond(self, offer: Offer) -> Response:
        return Response(
            self.get_serializer(
                Offer.objects.select_related("stall", "application").get(pk=offer.pk)
            ).data
        )

    @extend_schema(
        summary="Accept my offer: the stall is leased to me (repeating answers the same lease)",
        request=None,
        responses={200: s.OfferSerializer, **errors(401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._respond(services.offer_accept(offer=self._own_offer(), user=request.user))

    @extend_schema(
        summary="Decline my offer: the stall is free again",
        request=None,
        responses={200: s.OfferSerializer, **errors(401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._respond(services.offer_decline(offer=self._own_offer(), user=request.user))

    def _own_offer(self) -> Offer:
        # The service checks the offer's deadline itself, under its lock.
        offer = Offer.objects.filter(
            pk=self.kwargs["pk"], application__vendor__user=self.request.user
        ).first()
        if offer is None:
            raise Http404
        return offer


@extend_schema_view(
    list=extend_schema(
        summary="Leases (a vendor sees her own)",
        responses={200: s.LeaseSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One lease", responses={200: s.LeaseSerializer, **errors(401, 403, 404)}
    ),
)
class LeaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.LeaseSerializer
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER, PLANNER, VENDOR)
    action_roles = {"terminate": (OUTLET_MANAGER,)}
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Lease.objects.none()
        return selectors.lease_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # A vendor's leases by her user: no query for her vendor profile unless she has none.
        queryset = selectors.lease_list(user=request.user, check_profile=False)
        page = self.paginate_queryset(self.filter_queryset(queryset))
        if not page and not has_role(request.user, OUTLET_MANAGER, PLANNER):
            services.vendor_id_for_user(request.user)  # 403 without a vendor profile
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Terminate an active lease, with a reason; the stall becomes vacant",
        request=s.TerminateInputSerializer,
        responses={200: s.LeaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        lease = self.get_object()
        services.outlet_require_managed(user=request.user, outlet_ids=[lease.stall.outlet_id])
        data = _validated(s.TerminateInputSerializer, request.data)
        lease = services.lease_terminate(lease=lease, user=request.user, reason=data["reason"])
        return Response(self.get_serializer(Lease.objects.get(pk=lease.pk)).data)
