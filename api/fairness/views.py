"""Public results of rounds (no sign-in), the verification file, objections and appeals."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from api.fairness import serializers as s
from api.outlets.views._common import ID_REGEX, ROUND_NOT_ALLOCATED, _validated
from api.permissions import RolePermission
from api.schema import errors
from core.errors import Conflict
from core.roles import OUTLET_MANAGER, PLANNER, VENDOR
from fairness import selectors, services
from fairness.models import Appeal, Objection
from outlets.models import Application

ROUND_READERS = (OUTLET_MANAGER, PLANNER, VENDOR)


class PublicThrottle(SimpleRateThrottle):
    """Per address, at the `public` rate (settings' DEFAULT_THROTTLE_RATES)."""

    scope = "public"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _Public:
    """No sign-in, no session: anyone may read; throttled by address."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]


class PublicRoundListView(_Public, generics.ListAPIView):
    """`GET public/rounds/`: every opened round with how many applied (before the draw too)."""

    serializer_class = s.PublicRoundSummarySerializer

    def get_queryset(self):
        return selectors.public_rounds()

    @extend_schema(
        summary="Rounds and how many applied (public)",
        responses={200: s.PublicRoundSummarySerializer(many=True), **errors(400, 429)},
        auth=[],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicRoundView(_Public, APIView):
    @extend_schema(
        summary="A round's public results: parameters, seed, hashes, groups, applications",
        responses={200: s.PublicRoundSerializer, **errors(404, 429)},
        auth=[],
    )
    def get(self, request, pk: int):
        round_ = get_object_or_404(selectors.public_rounds(), pk=pk)
        return Response(s.PublicRoundSerializer(selectors.public_round(round_)).data)


class PublicVerificationView(_Public, APIView):
    @extend_schema(
        summary="The round's verification file: canonical input and result, no personal data",
        responses={200: OpenApiTypes.OBJECT, **errors(404, 409, 429)},
        auth=[],
    )
    def get(self, request, pk: int):
        round_ = get_object_or_404(selectors.public_rounds(), pk=pk)
        document = selectors.round_document(round_)
        if document is None:
            raise Conflict(str(ROUND_NOT_ALLOCATED))
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="round-{round_.pk}.json"'
        return response


class FactsView(APIView):
    """`GET applications/{id}/facts/`: the facts the round will use about the applicant."""

    permission_classes = [RolePermission]
    read_roles = (VENDOR,)

    @extend_schema(
        summary="The facts the round will use about my application (to object to)",
        responses={200: s.FactsSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, pk: int):
        application = get_object_or_404(
            Application.objects.filter(vendor__user=request.user).select_related(
                "vendor__home_kelurahan"
            ),
            pk=pk,
        )
        return Response(s.FactsSerializer(selectors.application_facts(application)).data)


def _decide(view, request, decide, item_kwarg: str):
    data = _validated(s.DecisionInputSerializer, request.data)
    item = view.get_object()
    item = decide(
        user=request.user, decision=data["decision"], reason=data["reason"], **{item_kwarg: item}
    )
    return Response(view.get_serializer(item).data)


def _own_application(request, application_id: int) -> Application:
    mine = Application.objects.filter(vendor__user=request.user)
    return get_object_or_404(mine, pk=application_id)


@extend_schema_view(
    list=extend_schema(
        summary="Objections (a vendor sees hers; a manager those of her rounds)",
        responses={200: s.ObjectionSerializer(many=True), **errors(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Object to a fact the round will use about me (between closing and the draw)",
        request=s.ObjectionInputSerializer,
        responses={201: s.ObjectionSerializer, **errors(400, 401, 403, 404, 409)},
    ),
)
class ObjectionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ObjectionSerializer
    permission_classes = [RolePermission]
    read_roles = ROUND_READERS
    write_roles = (VENDOR,)
    action_roles = {"decide": (OUTLET_MANAGER,)}
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Objection.objects.none()
        return selectors.objection_list(self.request.user)

    def create(self, request, *args, **kwargs):
        data = _validated(s.ObjectionInputSerializer, request.data)
        objection = services.objection_create(
            user=request.user,
            application=_own_application(request, data["application"]),
            fact=data["fact"],
            statement=data["statement"],
        )
        return Response(self.get_serializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Decide an objection (upheld or rejected) with a reason",
        request=s.DecisionInputSerializer,
        responses={200: s.ObjectionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return _decide(self, request, services.objection_decide, "objection")


@extend_schema_view(
    list=extend_schema(
        summary="Appeals (a vendor sees hers; a manager those of her rounds)",
        responses={200: s.AppealSerializer(many=True), **errors(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Appeal the result of my application (within the round's appeal period)",
        request=s.AppealInputSerializer,
        responses={201: s.AppealSerializer, **errors(400, 401, 403, 404, 409)},
    ),
)
class AppealViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = s.AppealSerializer
    permission_classes = [RolePermission]
    read_roles = ROUND_READERS
    write_roles = (VENDOR,)
    action_roles = {"decide": (OUTLET_MANAGER,)}
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Appeal.objects.none()
        return selectors.appeal_list(self.request.user)

    def create(self, request, *args, **kwargs):
        data = _validated(s.AppealInputSerializer, request.data)
        appeal = services.appeal_create(
            user=request.user,
            application=_own_application(request, data["application"]),
            statement=data["statement"],
        )
        return Response(self.get_serializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Decide an appeal (upheld or rejected) with a reason",
        request=s.DecisionInputSerializer,
        responses={200: s.AppealSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return _decide(self, request, services.appeal_decide, "appeal")
