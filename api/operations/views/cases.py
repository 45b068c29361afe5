"""Warning letters, terminations for cause, inspections, renewal requests and waitlist offers."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.operations import serializers as s
from api.operations.views._common import (
    ID_REGEX,
    ListCreateViewSet,
    _validated,
    lease_for,
    list_and_create,
    stall_for,
)
from api.permissions import RolePermission
from api.schema import errors
from api.throttles import VendorWriteThrottle
from core.roles import OUTLET_MANAGER, PLANNER, VENDOR
from operations import selectors
from operations.models import RenewalRequest, WaitlistOffer, WarningLetter
from operations.services import enforcement, renewals, waitlist

READERS = (OUTLET_MANAGER, PLANNER, VENDOR)
MANAGERS = (OUTLET_MANAGER,)


@list_and_create(
    serializer=s.WarningSerializer,
    listed="Warning letters SP1-SP3 (a vendor sees her own)",
    created="Issue the lease's next warning letter (SP1, then SP2, then SP3)",
    request=s.WarningInputSerializer,
)
class WarningViewSet(ListCreateViewSet):
    serializer_class = s.WarningSerializer
    read_roles = READERS
    write_roles = MANAGERS
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WarningLetter.objects.none()
        return selectors.warning_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = _validated(s.WarningInputSerializer, request.data)
        lease = lease_for(request.user, data.pop("lease"), field="lease")
        return self.created(enforcement.warning_issue(lease=lease, user=request.user, **data))

    @extend_schema(
        summary="Mark a warning resolved: the vendor put it right",
        request=s.ResolveInputSerializer,
        responses={200: s.WarningSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        warning = self.get_object()
        data = _validated(s.ResolveInputSerializer, request.data)
        warning = enforcement.warning_resolve(
            warning=warning, user=request.user, on=data["resolved_on"]
        )
        return Response(s.WarningSerializer(warning).data)


@list_and_create(
    serializer=s.TerminationSerializer,
    listed="Terminations for cause (a vendor sees her own)",
    created="Terminate a lease after SP3, or at once for a serious breach; the stall is freed",
    request=s.TerminationInputSerializer,
)
class TerminationViewSet(ListCreateViewSet):
    serializer_class = s.TerminationSerializer
    read_roles = READERS
    write_roles = MANAGERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Termination.objects.none()
        return selectors.termination_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = _validated(s.TerminationInputSerializer, request.data)
        lease = lease_for(request.user, data["lease"], field="lease")
        termination = enforcement.lease_terminate_for_cause(
            lease=lease, user=request.user, ground=data["ground"], reason=data["reason"],
            on=data.get("terminated_on"),
        )  # fmt: skip
        return self.created(termination)


@list_and_create(
    serializer=s.InspectionSerializer,
    listed="Inspections of stalls",
    created="Record a visit to a stall: trading, closed, sublet or other, a note, photos",
    request={"multipart/form-data": s.InspectionInputSerializer},
    create_errors=(400, 401, 403, 413, 415),
)
class InspectionViewSet(ListCreateViewSet):
    serializer_class = s.InspectionSerializer
    read_roles = (OUTLET_MANAGER, PLANNER)
    write_roles = MANAGERS
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.inspection_list()

    def create(self, request, *args, **kwargs):
        payload = {k: request.data.get(k) for k in request.data if k != "photos"}
        if hasattr(request.data, "getlist") and "photos" in request.FILES:
            payload["photos"] = request.FILES.getlist("photos")
        data = _validated(s.InspectionInputSerializer, payload)
        stall = stall_for(data.pop("stall"), field="stall")
        inspection = enforcement.inspection_record(stall=stall, user=request.user, **data)
        return self.created(inspection)


@list_and_create(
    serializer=s.RenewalSerializer,
    listed="Renewal requests (a vendor sees her own)",
    created="Ask to renew my lease (last 90 days, good standing)",
    request=s.RenewalInputSerializer,
    create_errors=(400, 401, 403, 409, 429),
)
class RenewalViewSet(ListCreateViewSet):
    serializer_class = s.RenewalSerializer
    read_roles = READERS
    write_roles = (VENDOR,)
    action_roles = {"approve": MANAGERS, "refuse": MANAGERS}
    lookup_value_regex = ID_REGEX

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "vendor_write"
            return [VendorWriteThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RenewalRequest.objects.none()
        return selectors.renewal_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = _validated(s.RenewalInputSerializer, request.data)
        lease = lease_for(request.user, data["lease"], field="lease")
        renewal = renewals.renewal_request(lease=lease, user=request.user, months=data["months"])
        return self.created(renewal)

    @extend_schema(
        summary="Approve a renewal: a new lease from the old one's end, at the tariff in force",
        request=None,
        responses={200: s.RenewalSerializer, **errors(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        renewal = renewals.renewal_approve(request=self.get_object(), user=request.user)
        return Response(s.RenewalSerializer(RenewalRequest.objects.get(pk=renewal.pk)).data)

    @extend_schema(
        summary="Refuse a renewal, with the reason",
        request=s.ReasonInputSerializer,
        responses={200: s.RenewalSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        renewal = self.get_object()
        data = _validated(s.ReasonInputSerializer, request.data)
        renewal = renewals.renewal_refuse(request=renewal, user=request.user, reason=data["reason"])
        return Response(s.RenewalSerializer(renewal).data)


@extend_schema_view(
    list=extend_schema(
        summary="Waitlist offers (a vendor sees her own)",
        responses={200: s.WaitlistOfferSerializer(many=True), **errors(400, 401, 403)},
    ),
)
class WaitlistOfferViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.WaitlistOfferSerializer
    permission_classes = [RolePermission]
    read_roles = READERS
    action_roles = {"accept": (VENDOR,), "decline": (VENDOR,)}
    throttle_classes = [VendorWriteThrottle]
    throttle_scope = "vendor_write"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitlistOffer.objects.none()
        return selectors.waitlist_offer_list(user=self.request.user)

    def _own(self) -> WaitlistOffer:
        offer = WaitlistOffer.objects.filter(
            pk=self.kwargs["pk"], application__vendor__user=self.request.user
        ).first()
        if offer is None:
            raise Http404
        return offer

    @extend_schema(
        summary="Accept my waitlist offer: the stall is leased to me",
        request=None,
        responses={200: s.WaitlistOfferSerializer, **errors(401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        offer = waitlist.waitlist_offer_accept(offer=self._own(), user=request.user)
        return Response(s.WaitlistOfferSerializer(WaitlistOffer.objects.get(pk=offer.pk)).data)

    @extend_schema(
        summary="Decline my waitlist offer: the stall goes to the next on the waitlist",
        request=None,
        responses={200: s.WaitlistOfferSerializer, **errors(401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        offer = waitlist.waitlist_offer_decline(offer=self._own(), user=request.user)
        return Response(s.WaitlistOfferSerializer(WaitlistOffer.objects.get(pk=offer.pk)).data)
