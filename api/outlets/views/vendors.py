"""Vendor registration, her own profile, and the managers' view of vendors and their claims."""

from django.db.models import QuerySet
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.filters import StrictOrderingFilter
from api.outlets import serializers as s
from api.outlets.views._common import (
    ID_REGEX,
    _validated,
)
from api.permissions import RolePermission
from api.renderers import JSONRenderer
from api.schema import errors
from api.throttles import VendorWriteThrottle
from core.roles import OUTLET_MANAGER, VENDOR
from outlets import selectors, services


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
