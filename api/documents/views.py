"""Documents over HTTP: attach (multipart), list an object's documents, read one, download it.

A download is always an attachment (`Content-Disposition: attachment`, `nosniff`, its
recognised content type), served only to roles that may read the document's object; anyone
else gets the same 404 as for a missing document.
"""

from __future__ import annotations

import django_filters
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.filters import BoundedFilterSet
from api.permissions import RolePermission
from api.schema import errors
from assets_app.models import Asset, Reclassification
from core.roles import ASSET_APPROVER, ASSET_OFFICER, OUTLET_MANAGER, STAFF_ROLES
from documents.content import EXTENSIONS
from documents.models import Document, DocumentKind
from documents.services import document_attach, document_list, document_readable

ID = {"min_value": 1, "max_value": 2**63 - 1}


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "asset",
            "reclassification",
            "lease",
            "kind",
            "title",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPEG or PNG, recognised by its content.")
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    asset = serializers.IntegerField(required=False, **ID)
    reclassification = serializers.IntegerField(required=False, **ID)
    lease = serializers.IntegerField(required=False, **ID)


class DocumentFilterSet(BoundedFilterSet):
    asset = django_filters.NumberFilter(field_name="asset_id", min_value=1)
    reclassification = django_filters.NumberFilter(field_name="reclassification_id", min_value=1)
    lease = django_filters.NumberFilter(field_name="lease_id", min_value=1)

    class Meta:
        model = Document
        fields = ["asset", "reclassification", "lease"]


@extend_schema_view(
    list=extend_schema(summary="Documents (of ?asset=, ?reclassification= or ?lease=)"),
    retrieve=extend_schema(summary="One document's record (name, type, size, SHA-256)"),
    create=extend_schema(
        summary="Attach a PDF, JPEG or PNG to one asset, reclassification or lease",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, **errors(400, 401, 403, 404, 413, 415)},
    ),
)
class DocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DocumentSerializer
    permission_classes = [RolePermission]
    read_roles = STAFF_ROLES
    write_roles = (ASSET_OFFICER, ASSET_APPROVER, OUTLET_MANAGER)
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = [DjangoFilterBackend]
    filterset_class = DocumentFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return document_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        from outlets.models import Lease

        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owners = {
            "asset": get_object_or_404(Asset, pk=data["asset"]) if "asset" in data else None,
            "reclassification": get_object_or_404(
                Reclassification.objects.select_related("asset"), pk=data["reclassification"]
            )
            if "reclassification" in data
            else None,
            "lease": get_object_or_404(Lease, pk=data["lease"]) if "lease" in data else None,
        }
        document = document_attach(
            user=request.user, upload=data["file"], kind=data["kind"], title=data["title"], **owners
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the file (as an attachment)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such document, or not readable by you"),
            **errors(401, 403),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def download(self, request, pk=None):
        document = self.get_object()
        if not document_readable(user=request.user, document=document):
            raise Http404
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=f"document-{document.pk}{EXTENSIONS[document.content_type]}",
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response
