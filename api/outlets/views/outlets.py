"""Outlets (JSON or GeoJSON, with the map filters) and their stalls."""

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.filters import MAP_FILTER_BACKENDS, StrictOrderingFilter
from api.map_list import MapListMixin
from api.outlets import serializers as s
from api.outlets.views._common import (
    GEOJSON_COLLECTION,
    GEOJSON_FEATURE,
    ID_REGEX,
    _validated,
)
from api.permissions import RolePermission
from api.renderers import GEO_RENDERERS
from api.schema import GeoJSONAutoSchema, errors
from core.roles import OUTLET_MANAGER, ROLES
from outlets import selectors, services
from outlets.choices import StallKind
from outlets.models import Outlet, Stall, StallStatus


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
    kind = django_filters.ChoiceFilter(choices=StallKind.choices)

    class Meta:
        model = Stall
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
            return Stall.objects.none()
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
