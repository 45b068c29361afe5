"""The admin's "KIB and reports" page (`/admin/kib/`): what an agency's asset officer does with
workbooks and reports without the API by hand.

- Export a KIB A or KIB C workbook (all agencies, or one) and download a report (KIB A, KIB C,
  property in use by third parties on a day, changes of use in a period) as PDF or XLSX: the
  form is checked here, then the browser is sent to the API's own address, which builds the
  file from the database at that moment and checks the role again.
- Import a KIB workbook (asset officers): `kib_import_upload`, all rows or none, the importer's
  report shown with each problem by row and field; a dry run checks without writing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin import site
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from assets_app.kib import kib_import_upload
from assets_app.models import Agency
from core.admin_actions import date_input
from core.roles import ASSET_OFFICER, STAFF_ROLES, has_role

KINDS = [("A", _("KIB A: Land")), ("C", _("KIB C: Buildings and structures"))]
REPORT_CHOICES = [
    ("kib_a", _("KIB A: Land")),
    ("kib_c", _("KIB C: Buildings and structures")),
    ("utilised", _("Property in use by third parties (daftar barang yang dimanfaatkan)")),
    ("changes_of_use", _("Changes of use (alih status penggunaan)")),
]
CHECKED = _("Checked: {rows} rows, nothing written.")
IMPORTED = _("Imported: {created} created, {updated} updated, {unchanged} unchanged.")
PERIOD_REQUIRED = _("The changes of use are reported for a period: give from and to.")
PERIOD_BACKWARDS = _("The period ends before it starts.")


def _agency_field():
    return forms.ModelChoiceField(
        label=capfirst(_("agency")),
        queryset=Agency.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("All agencies"),
    )


class ExportForm(forms.Form):
    prefix = "export"
    kind = forms.ChoiceField(label=capfirst(_("workbook")), choices=KINDS)
    agency = _agency_field()


class ReportForm(forms.Form):
    prefix = "report"
    name = forms.ChoiceField(label=capfirst(_("report")), choices=REPORT_CHOICES)
    output = forms.ChoiceField(
        label=capfirst(_("format")), choices=[("pdf", "PDF"), ("xlsx", "XLSX")]
    )
    agency = _agency_field()
    on = forms.DateField(
        label=capfirst(_("on")),
        required=False,
        widget=date_input(),
        help_text=_("Property in use: the leases in force on this day (default: today)."),
    )
    start = forms.DateField(label=capfirst(_("from")), required=False, widget=date_input())
    end = forms.DateField(label=capfirst(_("until")), required=False, widget=date_input())

    def clean(self):
        data = super().clean()
        if data.get("name") == "changes_of_use":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                for field in ("start", "end"):
                    if data.get(field) is None and field not in self.errors:
                        self.add_error(field, PERIOD_REQUIRED)
            elif end < start:
                self.add_error("end", PERIOD_BACKWARDS)
        return data

    def api_url(self) -> str:
        data = self.cleaned_data
        query = {"output": data["output"]}
        if data.get("agency"):
            query["agency"] = data["agency"].code
        if data["name"] == "utilised" and data.get("on"):
            query["on"] = data["on"].isoformat()
        if data["name"] == "changes_of_use":
            query["from"], query["to"] = data["start"].isoformat(), data["end"].isoformat()
        return f"{reverse('report', args=[data['name']])}?{urlencode(query)}"


class ImportForm(forms.Form):
    prefix = "import"
    kind = forms.ChoiceField(label=capfirst(_("workbook")), choices=KINDS)
    file = forms.FileField(label=capfirst(_("file")), help_text=_("A KIB workbook (.xlsx)."))
    dry_run = forms.BooleanField(
        label=_("Check only (write nothing)"), required=False, initial=True
    )
    update = forms.BooleanField(
        label=_("Update assets whose register code exists (upsert)."), required=False
    )


def kib_reports_view(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *STAFF_ROLES):
        raise PermissionDenied
    may_import = has_role(request.user, ASSET_OFFICER)
    action = request.POST.get("action") or request.GET.get("action")
    export_form, report_form = ExportForm(), ReportForm()
    import_form, report = (ImportForm() if may_import else None), None
    if action == "export":
        export_form = ExportForm(request.GET)
        if export_form.is_valid():
            data = export_form.cleaned_data
            query = f"?{urlencode({'agency': data['agency'].code})}" if data["agency"] else ""
            return redirect(f"{reverse('kib-export', args=[data['kind']])}{query}")
    elif action == "report":
        report_form = ReportForm(request.GET)
        if report_form.is_valid():
            return redirect(report_form.api_url())
    elif action == "import" and request.method == "POST":
        if not may_import:
            raise PermissionDenied
        import_form = ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            data = import_form.cleaned_data
            try:
                report = kib_import_upload(
                    upload=data["file"],
                    kind=data["kind"],
                    user=request.user,
                    dry_run=data["dry_run"],
                    update=data["update"],
                )
            except DjangoValidationError as exc:
                import_form.add_error("file", list(exc.messages))
            except PermissionDenied as exc:
                import_form.add_error("file", str(exc))
            else:
                if not report["errors"]:
                    done = CHECKED if report["dry_run"] else IMPORTED
                    messages.success(request, str(done).format(**report))
    context = {
        **site.each_context(request),
        "title": _("KIB and reports"),
        "export_form": export_form,
        "report_form": report_form,
        "import_form": import_form,
        "import_report": report,
    }
    return TemplateResponse(request, "admin/kib_reports.html", context)
