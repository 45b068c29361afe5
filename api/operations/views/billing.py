"""Outlet terms, tariffs, bills, payments (record, import a statement, reverse, receipt) and
a lease's account (balance and arrears aging)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.operations import serializers as s
from api.operations.views._common import (
    ID_REGEX,
    ListCreateViewSet,
    _validated,
    lease_for,
    list_and_create,
    outlet_for,
)
from api.permissions import RolePermission
from api.schema import errors
from core.roles import OUTLET_MANAGER, PLANNER, VENDOR
from operations import pdf, selectors
from operations.models import OutletTerms, Payment
from operations.services import billing, pricing
from outlets.nik import city_today

STAFF_READ = (OUTLET_MANAGER, PLANNER)


class TermsView(APIView):
    permission_classes = [RolePermission]
    read_roles = STAFF_READ
    write_roles = (OUTLET_MANAGER,)

    @extend_schema(
        summary="An outlet's payment regime, commercial reference rate and due days",
        responses={200: s.TermsSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, outlet_id: int):
        terms = OutletTerms.objects.filter(outlet=outlet_for(outlet_id)).first()
        if terms is None:
            from django.http import Http404

            raise Http404
        return Response(s.TermsSerializer(terms).data)

    @extend_schema(
        summary="Set an outlet's payment regime (sewa or retribusi) and commercial rate",
        request=s.TermsInputSerializer,
        responses={200: s.TermsSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request, outlet_id: int):
        outlet = outlet_for(outlet_id)
        data = _validated(s.TermsInputSerializer, request.data)
        terms = pricing.terms_set(outlet=outlet, user=request.user, **data)
        return Response(s.TermsSerializer(terms).data)


@list_and_create(
    serializer=s.TariffSerializer,
    listed="Tariffs (per outlet and stall kind, from a Perwal)",
    created="Add a tariff: rate per m² at most 30% of the commercial rate (PP 7/2021)",
    request=s.TariffInputSerializer,
)
class TariffViewSet(ListCreateViewSet):
    serializer_class = s.TariffSerializer
    read_roles = STAFF_READ
    write_roles = (OUTLET_MANAGER,)
    queryset = selectors.tariff_list()

    def create(self, request, *args, **kwargs):
        data = _validated(s.TariffInputSerializer, request.data)
        outlet = outlet_for(data.pop("outlet"), field="outlet")
        return self.created(pricing.tariff_create(outlet=outlet, user=request.user, **data))


@extend_schema_view(
    list=extend_schema(
        summary="Bills (a vendor sees her own)",
        responses={200: s.BillSerializer(many=True), **errors(400, 401, 403)},
    ),
)
class BillViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.BillSerializer
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER, PLANNER, VENDOR)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Bill.objects.none()
        return selectors.bill_list(user=self.request.user)


class AccountView(APIView):
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER, PLANNER, VENDOR)

    @extend_schema(
        summary="A lease's account: bills as payments settle them, balance, arrears aging",
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="as of (default today)")],
        responses={200: s.AccountSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request, lease_id: int):
        lease = lease_for(request.user, lease_id)
        on = _validated(s.OnQuerySerializer, request.query_params).get("on") or city_today()
        account = billing.lease_account(lease=lease, on=on)
        pricing_row = getattr(lease, "pricing", None)
        data = {
            "lease": lease.pk, "on": on, "billed": account.billed, "paid": account.paid,
            "balance": account.balance, "credit": account.credit,
            "oldest_days_late": account.oldest_days_late, "aging": account.aging,
            "bills": account.bills, "virtual_account": billing.virtual_account(lease.pk),
            "pricing": None if pricing_row is None else {
                "regime": pricing_row.regime, "formula": pricing_row.formula,
                "monthly_amount": str(pricing_row.monthly_amount),
                "base_rate_per_m2": None if pricing_row.base_rate_per_m2 is None
                else str(pricing_row.base_rate_per_m2),
                "area_m2": str(pricing_row.area_m2),
                "location_factor": str(pricing_row.location_factor),
                "programme_factor": str(pricing_row.programme_factor),
                "months": pricing_row.months,
            },
        }  # fmt: skip
        return Response(s.AccountSerializer(data).data)


@extend_schema_view(
    list=extend_schema(
        summary="Payments (a vendor sees her own)",
        responses={200: s.PaymentSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One payment", responses={200: s.PaymentSerializer, **errors(401, 403, 404)}
    ),
    create=extend_schema(
        summary="Record a payment (a unique reference; partial and over-payments welcome)",
        request=s.PaymentInputSerializer,
        responses={201: s.PaymentSerializer, **errors(400, 401, 403, 409)},
    ),
)
class PaymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.PaymentSerializer
    permission_classes = [RolePermission]
    read_roles = (OUTLET_MANAGER, PLANNER, VENDOR)
    write_roles = (OUTLET_MANAGER,)
    action_roles = {"receipt": (OUTLET_MANAGER, PLANNER, VENDOR)}
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return selectors.payment_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = _validated(s.PaymentInputSerializer, request.data)
        lease = lease_for(request.user, data.pop("lease"), field="lease")
        payment = billing.payment_record(lease=lease, user=request.user, **data)
        return Response(s.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reverse a payment, with the reason (it then counts for nothing)",
        request=s.ReasonInputSerializer,
        responses={200: s.PaymentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        data = _validated(s.ReasonInputSerializer, request.data)
        billing.payment_reverse(payment=payment, user=request.user, reason=data["reason"])
        return Response(s.PaymentSerializer(Payment.objects.get(pk=payment.pk)).data)

    @extend_schema(
        summary="The payment's numbered receipt (kwitansi) as a PDF",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        payment = self.get_object()
        response = HttpResponse(pdf.receipt_pdf(payment), content_type="application/pdf")
        name = payment.receipt_number.replace("/", "-")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response

    @extend_schema(
        summary="Import a bank or virtual-account statement (CSV); known references skipped",
        request={"multipart/form-data": s.StatementInputSerializer},
        responses={200: s.StatementReportSerializer, **errors(400, 401, 403, 413, 415)},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_statement(self, request):
        data = _validated(s.StatementInputSerializer, request.data)
        report = billing.statement_import(user=request.user, content=data["file"].read())
        return Response(
            {
                "recorded": s.PaymentSerializer(report.recorded, many=True).data,
                "already_recorded": report.already_recorded,
            }
        )
