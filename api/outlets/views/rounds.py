"""Allocation rounds (create, open, close, allocate, results) and vendors' applications."""

from django.db.models import QuerySet
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filters import StrictOrderingFilter
from api.outlets import serializers as s
from api.outlets.views._common import (
    ID_REGEX,
    ROUND_NOT_ALLOCATED,
    _validated,
)
from api.permissions import RolePermission
from api.schema import errors
from api.throttles import VendorWriteThrottle
from core.errors import Conflict
from core.roles import OUTLET_MANAGER, PLANNER, VENDOR, has_role
from outlets import selectors, services
from outlets.models import AllocationRound, Application


@extend_schema_view(
    list=extend_schema(
        summary="Allocation rounds (a vendor sees the open ones)",
        responses={200: s.RoundSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One round, with its groups and their vacant stalls",
        responses={200: s.RoundSerializer, **errors(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Create a draft round",
        request=s.RoundInputSerializer,
        responses={201: s.RoundSerializer, **errors(400, 401, 403)},
    ),
)
class RoundViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.RoundSerializer
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER, PLANNER, VENDOR)
    write_roles = (OUTLET_MANAGER,)
    action_roles = {
        "open": (OUTLET_MANAGER,),
        "close": (OUTLET_MANAGER,),
        "allocate": (OUTLET_MANAGER,),
        "results": (OUTLET_MANAGER, PLANNER),
        "applications": (VENDOR,),
    }
    throttle_classes = [VendorWriteThrottle]
    lookup_value_regex = ID_REGEX
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["id", "name", "opens_at", "closes_at", "status"]

    def get_throttles(self):
        # Only applying is a vendor write; the manager actions are not throttled.
        self.throttle_scope = "vendor_write" if self.action == "applications" else None
        return super().get_throttles()

    def get_queryset(self) -> QuerySet:
        if self.action in ("open", "close", "allocate", "results", "applications"):
            # Acting on a round is not limited to what the user may list: a vendor applying to
            # a round that is not open learns it is not open (409), not that it is missing.
            return AllocationRound.objects.all()
        return selectors.round_list(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["round_groups"] = getattr(self, "_round_groups", {})
        return context

    def _respond(self, round_: AllocationRound, *, code=status.HTTP_200_OK) -> Response:
        self._round_groups = {round_.pk: selectors.round_groups(round_)}
        round_ = selectors.round_list(user=self.request.user).get(pk=round_.pk)
        return Response(self.get_serializer(round_).data, status=code)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self._round_groups = {r.pk: selectors.round_groups(r) for r in page}
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    def create(self, request, *args, **kwargs):
        data = _validated(s.RoundInputSerializer, request.data)
        round_ = services.round_create(user=request.user, data=dict(data))
        return self._respond(round_, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Open the round: draw the seed, publish its SHA-256 commitment",
        request=None,
        responses={200: s.RoundSerializer, **errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._respond(services.round_open(round_=self.get_object(), user=request.user))

    @extend_schema(
        summary="Close the round to applications",
        request=None,
        responses={200: s.RoundSerializer, **errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._respond(services.round_close(round_=self.get_object(), user=request.user))

    @extend_schema(
        summary="Allocate a closed round (once): run the engine, create offers, reveal the seed",
        request=None,
        responses={200: s.RoundSerializer, **errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        return self._respond(services.round_allocate(round_=self.get_object(), user=request.user))

    @extend_schema(
        summary="Allocation results: seed, group cutoffs, each application's priority and stall",
        responses={200: s.RoundResultsSerializer, **errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        round_ = self.get_object()
        run = getattr(round_, "run", None)
        if run is None:
            raise Conflict(str(ROUND_NOT_ALLOCATED))
        applications = selectors.application_list_for_round(round_=round_)
        body = {"round_": round_, "run": run, "applications": applications}
        # Which claims counted is for the managers who verify them, not for planners.
        context = {"show_claims": has_role(request.user, OUTLET_MANAGER)}
        return Response(s.RoundResultsSerializer(body, context=context).data)

    @extend_schema(
        summary="Apply to an open round with ranked choices",
        request=s.ApplicationInputSerializer,
        responses={201: s.ApplicationSerializer, **errors(400, 401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def applications(self, request, pk=None):
        round_ = self.get_object()
        data = _validated(s.ApplicationInputSerializer, request.data)
        application = services.application_create(
            round_=round_, user=request.user, choices=data["choices"]
        )
        application = selectors.application_list_mine(user=request.user).get(pk=application.pk)
        return Response(s.ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One of my applications",
        responses={200: s.ApplicationSerializer, **errors(401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change my application's choices while the round is open",
        request=s.ApplicationInputSerializer,
        responses={200: s.ApplicationSerializer, **errors(400, 401, 403, 404, 409, 429)},
    ),
)
class ApplicationViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.ApplicationSerializer
    permission_classes = [RolePermission]
    read_roles = (VENDOR,)
    write_roles = (VENDOR,)
    throttle_classes = [VendorWriteThrottle]
    throttle_scope = "vendor_write"
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return selectors.application_list_mine(user=self.request.user)

    @extend_schema(
        summary="My applications, with priorities, cutoffs and offers",
        responses={200: s.ApplicationSerializer(many=True), **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["get"])
    def mine(self, request):
        # Her applications by her user: no query for her vendor profile unless she has none.
        queryset = selectors.application_list_mine(user=request.user, check_profile=False)
        page = self.paginate_queryset(queryset)
        if not page:
            services.vendor_id_for_user(request.user)  # 403 without a vendor profile
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        data = _validated(s.ApplicationInputSerializer, request.data)
        application = services.application_update(
            application=application, user=request.user, choices=data["choices"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)

    @extend_schema(
        summary="Withdraw my application while the round is open",
        request=None,
        responses={200: s.ApplicationSerializer, **errors(400, 401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = services.application_withdraw(
            application=self.get_object(), user=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)
