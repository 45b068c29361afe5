"""HTTP views of outlets, stalls, vendors, rounds, applications, offers and leases.

Views parse the request, call one service or selector, and serialize. Who may do what is declared
with `RolePermission`; which rows a vendor can reach is decided by the selectors (another
vendor's application, offer or lease is a 404). Vendor writes are throttled (`vendor_write`),
registration too (`register`), and the vendor views answer JSON only so a form page can never
echo a NIK back.
"""

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.filters import MAP_FILTER_BACKENDS, StrictOrderingFilter
from api.map_list import MapListMixin
from api.outlets import serializers as s
from api.permissions import RolePermission
from api.renderers import GEO_RENDERERS, JSONRenderer
from api.schema import GeoJSONAutoSchema, errors, geojson_collection, geojson_feature
from api.throttles import VendorWriteThrottle
from core.errors import Conflict
from core.roles import OUTLET_MANAGER, PLANNER, ROLES, VENDOR, has_role
from outlets import selectors, services
from outlets.models import AllocationRound, Lease, Offer, Outlet, StallStatus

ID_REGEX = r"[0-9]{1,18}"
GEOJSON_FEATURE = geojson_feature("The outlet's other fields")
GEOJSON_COLLECTION = geojson_collection(GEOJSON_FEATURE)


ROUND_NOT_ALLOCATED = _("The round has not been allocated yet.")


def _validated(serializer_class, data, *, partial=False, **kwargs) -> dict:
    serializer = serializer_class(data=data, partial=partial, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- outlets and stalls ----------------------------------------------------------------------


class OutletFilterSet(django_filters.FilterSet):
    has_vacancy = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_has_vacancy",
        label="true: outlets with at least one vacant stall; false: none vacant.",
    )

    class Meta:
        model = Outlet
        fields = ["has_vacancy"]

    def filter_has_vacancy(self, queryset, name, value):
        return selectors.outlets_with_vacancy(queryset, value == "true")


@extend_schema_view(
    list=extend_schema(
        summary="Outlets (JSON or GeoJSON), with map filters and has_vacancy",
        # 404 too: an unknown ?format= is answered 404 by DRF's content negotiation
        responses={
            (200, "application/json"): s.OutletSerializer(many=True),
            (200, "application/geo+json"): GEOJSON_COLLECTION,
            **errors(400, 401, 403, 404),
        },
    ),
    retrieve=extend_schema(
        summary="One outlet",
        responses={
            (200, "application/json"): s.OutletSerializer,
            (200, "application/geo+json"): GEOJSON_FEATURE,
            **errors(401, 403, 404),
        },
    ),
    create=extend_schema(
        summary="Open an outlet on an asset designated for economic use",
        request=s.OutletInputSerializer,
        responses={
            (201, "application/json"): s.OutletSerializer,
            (201, "application/geo+json"): GEOJSON_FEATURE,
            **errors(400, 401, 403, 404, 409),
        },
    ),
    partial_update=extend_schema(
        summary="Rename an outlet or change its opening hours",
        request=s.OutletUpdateSerializer,
        responses={
            (200, "application/json"): s.OutletSerializer,
            (200, "application/geo+json"): GEOJSON_FEATURE,
            **errors(400, 401, 403, 404),
        },
    ),
)
class OutletViewSet(
    MapListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """UMKM outlets on city assets, with their stall counts (JSON or GeoJSON)."""

    serializer_class = s.OutletSerializer
    permission_classes = [RolePermission]
    read_roles = ROLES
    write_roles = (OUTLET_MANAGER,)
    renderer_classes = GEO_RENDERERS
    geo_prefix = selectors.GEO_PREFIX
    schema = GeoJSONAutoSchema()
    filter_backends = [DjangoFilterBackend, *MAP_FILTER_BACKENDS, StrictOrderingFilter]
    filterset_class = OutletFilterSet
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["id"]
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return selectors.outlet_list()

    def map_page(self, queryset, query, *, limit, offset):
        return selectors.outlet_map_page(queryset, query, limit=limit, offset=offset)

    def page_items(self, queryset, distances):
        page = selectors.outlets_counted(self.paginate_queryset(queryset))
        return self.serialized(page, distances)

    def create(self, request, *args, **kwargs):
        data = _validated(s.OutletInputSerializer, request.data)
        outlet = services.outlet_create(
            user=request.user,
            asset_id=data["asset"],
            name=data["name"],
            opening_hours=data["opening_hours"],
        )
        (outlet,) = selectors.outlets_by_ids([outlet.pk])
        return Response(self.get_serializer(outlet).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        outlet = self.get_object()
        # Another manager's outlet is a 403 whatever the body holds.
        services.outlet_require_managed(user=request.user, outlet_ids=[outlet.pk])
        data = _validated(s.OutletUpdateSerializer, request.data, partial=True)
        outlet = services.outlet_update(outlet=outlet, user=request.user, data=data)
        (outlet,) = selectors.outlets_by_ids([outlet.pk])
        return Response(self.get_serializer(outlet).data)

    def retrieve(self, request, *args, **kwargs):
        (outlet,) = selectors.outlets_counted([self.get_object()])
        return Response(self.get_serializer(outlet).data)


class StallFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=StallStatus.choices)
    kind = django_filters.ChoiceFilter(choices=s.StallKind.choices)

    class Meta:
        model = s.Stall
        fields = ["status", "kind"]


STALLS_REQUEST = PolymorphicProxySerializer(
    component_name="StallsCreateRequest",
    serializers=[s.StallInputSerializer, s.StallInputSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)
STALLS_RESPONSE = PolymorphicProxySerializer(
    component_name="StallsCreateResponse",
    serializers=[s.StallSerializer, s.StallSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class OutletStallsView(generics.ListAPIView):
    """`GET/POST outlets/{id}/stalls/`: list (by `status`, `kind`) or add one stall or a list."""

    serializer_class = s.StallSerializer
    permission_classes = [RolePermission]
    read_roles = ROLES
    write_roles = (OUTLET_MANAGER,)
    filter_backends = [DjangoFilterBackend]
    filterset_class = StallFilterSet

    def _outlet(self) -> Outlet:
        return get_object_or_404(Outlet, pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return s.Stall.objects.none()
        return selectors.stall_list(outlet=self._outlet())

    @extend_schema(
        summary="Stalls of an outlet",
        responses={200: s.StallSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add one stall, or a list of stalls (all or nothing)",
        description="A list's errors are keyed `<index>.<field>`, e.g. `1.code`.",
        request=STALLS_REQUEST,
        responses={201: STALLS_RESPONSE, **errors(400, 401, 403, 404)},
    )
    def post(self, request, *args, **kwargs):
        outlet = self._outlet()
        services.outlet_require_managed(user=request.user, outlet_ids=[outlet.pk])
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        validated, errors = [], {}
        for index, item in enumerate(items):
            serializer = s.StallInputSerializer(data=item)
            if serializer.is_valid():
                validated.append(serializer.validated_data)
            else:
                prefix = f"{index}." if many else ""
                errors.update({f"{prefix}{k}": v for k, v in serializer.errors.items()})
        if errors:
            raise ValidationError(errors)
        stalls = services.stalls_create(
            outlet=outlet, user=request.user, items=validated, many=many
        )
        data = s.StallSerializer(stalls, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


# --- vendors ---------------------------------------------------------------------------------


class VendorRegisterView(APIView):
    """`POST vendors/register/`: public, throttled; answers the profile and an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Register a vendor account (public)",
        request=s.VendorRegisterInputSerializer,
        responses={201: s.VendorRegisteredSerializer, **errors(400, 409, 429)},
        auth=[],
    )
    def post(self, request):
        data = _validated(s.VendorRegisterInputSerializer, request.data)
        vendor, token = services.vendor_register(
            username=data["username"],
            password=data["password"],
            full_name=data["full_name"],
            nik_value=data["nik"],
            phone=data["phone"],
            business_name=data["business_name"],
            product_category=data["product_category"],
            nib=data["nib"],
            wub_participant=data["wub_participant"],
            women_programme=data["women_programme"],
            home_kelurahan_code=data["home_kelurahan_code"],
        )
        body = s.VendorSerializer(vendor).data
        body["token"] = token.key
        return Response(body, status=status.HTTP_201_CREATED)


class VendorMeView(APIView):
    """`GET/PATCH vendors/me/`: the signed-in vendor's own profile."""

    permission_classes = [RolePermission]
    read_roles = (VENDOR,)
    write_roles = (VENDOR,)
    throttle_classes = [VendorWriteThrottle]
    throttle_scope = "vendor_write"
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="My vendor profile", responses={200: s.VendorSerializer, **errors(401, 403)}
    )
    def get(self, request):
        return Response(s.VendorSerializer(services.vendor_for_user(request.user)).data)

    @extend_schema(
        summary="Change my vendor profile (programme claims are re-checked against the NIK)",
        description="A changed programme or domicile claim loses its verification; while I have "
        "an application in a round not yet allocated, my claims cannot change (409).",
        request=s.VendorUpdateSerializer,
        responses={200: s.VendorSerializer, **errors(400, 401, 403, 409, 429)},
    )
    def patch(self, request):
        data = _validated(s.VendorUpdateSerializer, request.data, partial=True)
        vendor = services.vendor_update(
            vendor=services.vendor_for_user(request.user), user=request.user, data=dict(data)
        )
        return Response(s.VendorSerializer(vendor).data)


@extend_schema_view(
    list=extend_schema(
        summary="Vendors, as outlet managers see them (no birth date or gender)",
        responses={200: s.ManagedVendorSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One vendor's record, with refused registrations that gave her NIK",
        responses={200: s.ManagedVendorSerializer, **errors(401, 403, 404)},
    ),
)
class VendorViewSet(viewsets.ReadOnlyModelViewSet):
    """`GET vendors/`, `GET vendors/{id}/`: for outlet managers, who verify claims and manage
    leases; other roles see a vendor only by id (and her business name on a lease)."""

    serializer_class = s.ManagedVendorSerializer
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER,)
    write_roles = ()
    action_roles = {"verify": (OUTLET_MANAGER,)}
    renderer_classes = [JSONRenderer]
    lookup_value_regex = ID_REGEX
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["id", "created_at"]

    def get_queryset(self) -> QuerySet:
        return selectors.vendor_list()

    @extend_schema(
        summary="Verify some of a vendor's claims (programme membership, domicile), with what "
        "was checked; only verified claims count in allocation",
        request=s.VerifyInputSerializer,
        responses={200: s.ManagedVendorSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        data = _validated(s.VerifyInputSerializer, request.data)
        vendor = services.vendor_claims_verify(
            vendor=self.get_object(),
            user=request.user,
            claims=data["claims"],
            reason=data["reason"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=vendor.pk)).data)


# --- rounds ----------------------------------------------------------------------------------


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


# --- applications ----------------------------------------------------------------------------


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
            return s.Application.objects.none()
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


# --- offers and leases -----------------------------------------------------------------------


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
