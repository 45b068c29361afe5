"""Documents in the admin. The records are read-only (their content and hash are the service's);
an asset officer attaches a file to one of her agency's assets on the "Attach a document" page,
through `document_attach` (content check, size limit, SHA-256, the agency's scope), as the API
does. Decrees are attached with the decision itself, lease contracts by outlet managers over the
API. Each row links to its download, which the API serves as an attachment to the roles that
may read its object."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from assets_app.models import Asset
from core.roles import ASSET_OFFICER, has_role
from documents.models import Document, DocumentKind
from documents.services import document_attach, document_list

# What an officer attaches to an asset; decrees and lease contracts belong to their own objects.
ASSET_KINDS = [
    (kind.value, kind.label)
    for kind in (
        DocumentKind.LAND_CERTIFICATE,
        DocumentKind.BUILDING_PERMIT,
        DocumentKind.HANDOVER,
        DocumentKind.PHOTO,
        DocumentKind.OTHER,
    )
]
NO_SUCH_ASSET = _("No asset has the register code {code}.")


class AttachForm(forms.Form):
    register_code = forms.CharField(
        label=capfirst(_("register code")),
        max_length=64,
        help_text=_("The asset's register code, as on its page (e.g. SDN-BEJI-01)."),
    )
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=ASSET_KINDS)
    title = forms.CharField(label=capfirst(_("title")), max_length=200, required=False)
    file = forms.FileField(
        label=capfirst(_("file")), help_text=_("PDF, JPEG or PNG, recognised by its content.")
    )

    def clean_register_code(self):
        code = self.cleaned_data["register_code"].strip()
        self.asset = Asset.objects.filter(register_code=code).first()
        if self.asset is None:
            raise forms.ValidationError(str(NO_SUCH_ASSET).format(code=code))
        return code


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "title",
        "asset",
        "reclassification",
        "lease",
        "uploaded_at",
        "download",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["title", "original_name", "sha256", "asset__register_code"]
    list_select_related = ["asset", "reclassification__asset", "lease"]

    def get_queryset(self, request):
        # The admin shows what the API would: no lease's papers to those who may not read leases.
        return document_list(user=request.user).select_related(*self.list_select_related)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["download"]

    def has_add_permission(self, request) -> bool:
        return False  # the attach page below, through the service

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("document-download", args=[obj.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download"))

    def get_urls(self):
        attach = path(
            "attach/", self.admin_site.admin_view(self.attach_view), name="documents_attach"
        )
        return [attach, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_attach": has_role(request.user, ASSET_OFFICER)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def attach_view(self, request):
        if not has_role(request.user, ASSET_OFFICER):
            raise PermissionDenied
        initial = {}
        asset_id = request.GET.get("asset", "")
        if asset_id.isdigit():
            asset = Asset.objects.filter(pk=int(asset_id)).only("register_code").first()
            if asset is not None:
                initial["register_code"] = asset.register_code
        form = AttachForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                document = document_attach(
                    user=request.user,
                    upload=data["file"],
                    kind=data["kind"],
                    title=data["title"],
                    asset=form.asset,
                )
            except PermissionDenied as exc:
                form.add_error("register_code", str(exc) or str(_("Not allowed")))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Attached {title} to {asset}; SHA-256 {sha}.").format(
                        title=document.title or document.get_kind_display(),
                        asset=form.asset.register_code,
                        sha=document.sha256,
                    ),
                )
                return redirect("admin:documents_document_change", document.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Attach a document"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/documents/document/attach.html", context)
