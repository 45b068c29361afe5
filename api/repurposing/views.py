"""Repurposing over HTTP: the assessment of an asset, the four-eyes reclassification workflow,
and district statistics (JSON, or GeoJSON for choropleth maps). Views parse, call one service
or selector, and serialize.
"""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.filters import BoundedFilterSet
from api.permissions import RolePermission
from api.renderers import GEO_RENDERERS
from api.repurposing.serializers import (
    ASSESSMENT_SCHEMA,
    DISTRICT_STATS_RESPONSE_SCHEMA,
    ApproveSerializer,
    ProposeSerializer,
    ReclassificationDetailSerializer,
    ReclassificationSerializer,
    RejectSerializer,
    ReviewSerializer,
    WithdrawSerializer,
)
from api.schema import geojson_collection
from assets_app.models import Asset, Reclassification, ReclassificationStatus
from assets_app.repurposing import asset_assessment
from assets_app.services import (
    reclassification_approve,
    reclassification_propose,
    reclassification_reject,
    reclassification_review,
    reclassification_withdraw,
)
from assets_app.stats import LEVEL_INVALID, LEVELS, district_stats
from core.roles import ASSET_APPROVER, ASSET_OFFICER, STAFF_ROLES

ERROR_RESPONSES = {
    400: OpenApiResponse(description="Bad input: {field: [message]}"),
    401: OpenApiResponse(description="Not signed in"),
    403: OpenApiResponse(description="Role not allowed, or four-eyes rule"),
    404: OpenApiResponse(description="No such object"),
    409: OpenApiResponse(description="State conflict"),
}


# `?format=geojson`: the same figures as a FeatureCollection (one Feature per district).
DISTRICT_STATS_GEOJSON_SCHEMA = geojson_collection(
    {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "description": "The district's code"},
            "geometry": {"type": "object", "nullable": True},
            "properties": {"type": "object"},
        },
    },
    level={"type": "string", "enum": ["kecamatan", "kelurahan"]},
    population_source={"type": "string"},
    population_year={"type": "integer"},
)


def _errors(*codes: int) -> dict:
    return {code: ERROR_RESPONSES[code] for code in codes}


class AssessmentView(GenericAPIView):
    """`GET assets/{id}/assessment/`: computed fresh, and stored on the asset."""

    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    queryset = Asset.objects.all()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        operation_id="assets_assessment_retrieve",
        summary="Repurposing assessment of one asset (computed fresh)",
        description=(
            "Five checks (status, condition, land_area, coverage, capacity). Coverage uses the "
            "straight-line distance in EPSG:32748 from each population cell's centroid to the "
            "asset's point; demand is city-wide. A read stores nothing: the asset's "
            "`repurposable` flag is refreshed by every write and by `manage.py assess_assets`."
        ),
        responses={200: OpenApiResponse(response=ASSESSMENT_SCHEMA), **_errors(401, 403, 404)},
    )
    def get(self, request, pk: int):
        asset = get_object_or_404(Asset, pk=pk)
        return Response(asset_assessment(asset=asset))


class ProposeView(GenericAPIView):
    """`POST assets/{id}/reclassifications/`: an officer proposes economic use."""

    permission_classes = [RolePermission]
    read_roles: tuple = ()
    write_roles = (ASSET_OFFICER,)
    queryset = Asset.objects.all()
    serializer_class = ProposeSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        operation_id="assets_reclassifications_create",
        summary="Propose reclassifying an asset for economic use (officers)",
        request=ProposeSerializer,
        responses={201: ReclassificationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        asset = get_object_or_404(Asset, pk=pk)
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reclassification = reclassification_propose(
            asset=asset, user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(
            ReclassificationDetailSerializer(reclassification).data, status=status.HTTP_201_CREATED
        )


class ReclassificationFilterSet(BoundedFilterSet):
    status = django_filters.ChoiceFilter(choices=ReclassificationStatus.choices)
    asset = django_filters.NumberFilter(field_name="asset_id", min_value=1)

    class Meta:
        model = Reclassification
        fields = ["status", "asset"]


@extend_schema_view(
    list=extend_schema(summary="Reclassifications, newest first; ?status=, ?asset="),
    retrieve=extend_schema(summary="One reclassification with its transitions"),
    approve=extend_schema(
        summary="Approve (approvers other than the proposer); a failing assessment needs "
        "override_reason",
        request=ApproveSerializer,
        responses={200: ReclassificationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    ),
    review=extend_schema(
        summary="Review a proposal (officers of the managing agency, not the proposer)",
        request=ReviewSerializer,
        responses={200: ReclassificationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    ),
    reject=extend_schema(
        summary="Reject (approvers other than the proposer)",
        request=RejectSerializer,
        responses={200: ReclassificationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    ),
    withdraw=extend_schema(
        summary="Withdraw an open proposal (its proposer)",
        request=WithdrawSerializer,
        responses={200: ReclassificationDetailSerializer, **_errors(400, 401, 403, 404, 409)},
    ),
)
class ReclassificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Reclassification.objects.select_related(
        "asset", "proposed_by", "decided_by", "reviewed_by"
    )
    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    action_roles = {
        "approve": (ASSET_APPROVER,),
        "review": (ASSET_OFFICER,),
        "reject": (ASSET_APPROVER,),
        "withdraw": (ASSET_OFFICER,),
    }
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReclassificationFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_serializer_class(self):
        if self.action == "list":
            return ReclassificationSerializer
        if self.action == "approve":
            return ApproveSerializer
        if self.action == "review":
            return ReviewSerializer
        if self.action == "reject":
            return RejectSerializer
        if self.action == "withdraw":
            return WithdrawSerializer
        return ReclassificationDetailSerializer

    def _input(self, request) -> dict:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, reclassification) -> Response:
        return Response(ReclassificationDetailSerializer(reclassification).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = self._input(request)
        return self._answer(
            reclassification_approve(
                reclassification=self.get_object(),
                user=request.user,
                note=data["note"],
                decree_number=data["decree_number"],
                decree_date=data["decree_date"],
                decree_document=data["decree_document"],
                handover_number=data["handover_number"],
                handover_date=data["handover_date"],
                override_reason=data.get("override_reason", ""),
            )
        )

    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = self._input(request)
        return self._answer(
            reclassification_review(
                reclassification=self.get_object(), user=request.user, note=data["note"]
            )
        )

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self._input(request)
        return self._answer(
            reclassification_reject(
                reclassification=self.get_object(), user=request.user, note=data["note"]
            )
        )

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = self._input(request)
        return self._answer(
            reclassification_withdraw(
                reclassification=self.get_object(), user=request.user, note=data.get("note", "")
            )
        )


class DistrictStatsView(GenericAPIView):
    """`GET stats/districts/?level=kecamatan|kelurahan`, JSON or GeoJSON (with boundaries)."""

    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    renderer_classes = GEO_RENDERERS
    geojson_id_field = "code"
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        operation_id="stats_districts_list",
        summary="Statistics per kecamatan or kelurahan (JSON, or GeoJSON for choropleths)",
        parameters=[
            OpenApiParameter(
                "level",
                str,
                enum=list(LEVELS),
                description="kecamatan (default) or kelurahan",
            ),
            OpenApiParameter("format", str, enum=["json", "geojson"]),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(response=DISTRICT_STATS_RESPONSE_SCHEMA),
            (200, "application/geo+json"): OpenApiResponse(response=DISTRICT_STATS_GEOJSON_SCHEMA),
            **_errors(400, 401, 403),
        },
    )
    def get(self, request):
        level = request.query_params.get("level", "kecamatan")
        if level not in LEVELS:
            raise ValidationError({"level": [str(LEVEL_INVALID)]})
        geojson = getattr(request.accepted_renderer, "format", "") == "geojson"
        stats = district_stats(level=level, with_geometry=geojson)
        results = stats.pop("results")
        return Response(
            {"count": len(results), "next": None, "previous": None, **stats, "results": results}
        )
