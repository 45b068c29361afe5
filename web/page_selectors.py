"""Reads for the readable asset and outlet pages (`/aset/<id>/`, `/gerai/<id>/`).

Each page calls one function here, which gathers what the page shows through the apps' own
selectors and services (the assessment, the documents' read rule, the history entries, the
stalls' derived state) and returns plain labelled values: choice labels in the active language,
district and agency names instead of codes. Who may see what is decided here with the same
roles the API applies to the same objects, so a page never shows more than the API would.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.formats import localize
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assets_app.models import Agency, Asset
from assets_app.repurposing import asset_assessment
from assets_app.selectors import asset_history, asset_history_entries
from core.roles import ASSET_OFFICER, ROLES, STAFF_ROLES, VENDOR, has_role
from documents.models import Document
from documents.services import document_readable
from geodata.models import District
from outlets.models import AllocationRound, Outlet, RoundStatus
from outlets.selectors import stall_list

ASSET_PAGE_FORBIDDEN = _("Asset pages are for the city's staff.")
OUTLET_PAGE_FORBIDDEN = _("Outlet pages are for signed-in users of the service.")
# The history shown on the page: the newest entries (the API pages through all of them).
HISTORY_LIMIT = 50
# Values too long or too structured for a table cell.
GEOMETRY_CHANGED = _("changed (see the map)")
EMPTY = "—"
POWER = _("power")
WATER = _("water")

# The assessment's rules by name, as people read them (the map uses the same wording).
RULE_LABELS = {
    "status": _("Status qualifies"),
    "condition": _("Condition"),
    "land_area": _("Land area"),
    "coverage": _("Residents stay within reach of the service"),
    "capacity": _("Kecamatan keeps enough facilities"),
}
# Fields the history names by their API name, mapped back to the model's field.
_HISTORY_MODEL_FIELDS = {"kelurahan_code": "kelurahan", "kecamatan_code": "kecamatan"}


def _require(user, roles, message) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied(message)


def _label(instance, field: str) -> str:
    """The choice label of `instance.field`, or an empty string when blank."""
    value = getattr(instance, field)
    return str(getattr(instance, f"get_{field}_display")()) if value not in (None, "") else ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return gettext("Not assessed")
    return gettext("Yes") if value else gettext("No")


# --- the asset page ---------------------------------------------------------------------------


def asset_page(*, user, pk: int) -> dict[str, Any]:
    """What `/aset/<pk>/` shows to `user` (the API's asset readers: the city's staff)."""
    _require(user, STAFF_ROLES, ASSET_PAGE_FORBIDDEN)
    asset = get_object_or_404(
        Asset.objects.select_related("custodian_agency", "kelurahan", "kecamatan"), pk=pk
    )
    assessment = asset_assessment(asset=asset)
    may_read_history = has_role(user, ASSET_OFFICER)
    return {
        "staff": True,
        "asset": asset,
        "facts": _asset_facts(asset),
        "assessment": {
            "repurposable": assessment["repurposable"],
            "population_source": assessment["population_source"],
            "checks": [
                {
                    "rule": check["rule"],
                    "label": RULE_LABELS.get(check["rule"], check["rule"]),
                    "passed": check["passed"],
                    "detail": _readable_detail(check["detail"], asset),
                }
                for check in assessment["checks"]
            ],
        },
        "documents": _asset_documents(asset, user),
        "history": _history(asset) if may_read_history else None,
        "outlet": Outlet.objects.filter(asset=asset).only("pk", "name").first(),
    }


def _readable_detail(detail: str, asset: Asset) -> str:
    """A check's text with the asset's own codes (status, condition, facility type, kecamatan)
    replaced by their labels and names, for texts that still carry the code."""
    names = {
        asset.status: _label(asset, "status"),
        asset.condition: _label(asset, "condition"),
        asset.facility_type: _label(asset, "facility_type"),
        asset.kecamatan_id: asset.kecamatan.name if asset.kecamatan else "",
    }
    for code, name in names.items():
        if code and name:
            detail = re.sub(rf"(?<![\w.]){re.escape(code)}(?!\w|\.\d)", name, detail)
    return detail


def _asset_facts(asset: Asset) -> list[tuple[str, str]]:
    """(label, value) rows of the asset's description, empty values left out."""
    agency = asset.custodian_agency.name if asset.custodian_agency else asset.custodian
    rows = [
        (gettext("Register code"), asset.register_code),
        (gettext("Item code (kode barang)"), asset.item_code),
        (gettext("Category"), _label(asset, "category")),
        (gettext("Use"), _label(asset, "use")),
        (gettext("Facility type"), _label(asset, "facility_type")),
        (gettext("Status"), _label(asset, "status")),
        (gettext("Condition"), _label(asset, "condition")),
        (gettext("Repurposable (last assessment)"), _yes_no(asset.repurposable)),
        (gettext("Land area (m²)"), _number(asset.land_area_m2)),
        (gettext("Building area (m²)"), _number(asset.building_area_m2)),
        (gettext("Custodian agency"), agency),
        (gettext("Kelurahan"), asset.kelurahan.name if asset.kelurahan else ""),
        (gettext("Kecamatan"), asset.kecamatan.name if asset.kecamatan else ""),
        (gettext("Address"), asset.address),
        (gettext("Acquisition year"), str(asset.acquisition_year or "")),
    ]
    return [(label, value) for label, value in rows if value not in (None, "")]


def _number(value) -> str:
    return "" if value is None else localize(round(value, 1), use_l10n=True)


def _asset_documents(asset: Asset, user) -> list[dict[str, Any]]:
    """The asset's documents and its reclassifications' (decrees, hand-over records), each
    with a download address only when `user` may read it (`document_readable`)."""
    documents = Document.objects.filter(Q(asset=asset) | Q(reclassification__asset=asset)).order_by(
        "-uploaded_at", "-id"
    )
    return [
        {
            "kind": document.get_kind_display(),
            "title": document.title or document.original_name,
            "type": document.get_content_type_display(),
            "size_kb": max(1, round(document.size / 1024)),
            "uploaded_at": document.uploaded_at,
            "download": (
                f"/api/v1/documents/{document.pk}/download/"
                if document_readable(user=user, document=document)
                else None
            ),
        }
        for document in documents
    ]


def _history(asset: Asset) -> list[dict[str, Any]]:
    """The newest history entries with each field and value as people read them."""
    records = list(asset_history(asset=asset)[: HISTORY_LIMIT + 1])
    before = records[HISTORY_LIMIT] if len(records) > HISTORY_LIMIT else None
    entries = asset_history_entries(records[:HISTORY_LIMIT], before=before)
    names = _names_in(entries)
    kinds = {"created": gettext("Registered"), "changed": gettext("Changed")}
    return [
        {
            "kind": kinds.get(entry["type"], gettext("Deleted")),
            "user": entry["user"] or EMPTY,
            "date": record.history_date,
            "changes": [
                {
                    # The entries' own labels where they carry them (assets_app.history).
                    "field": change.get("field_label") or _field_label(change["field"]),
                    "old": change.get("old_display")
                    or _display(change["field"], change["old"], names),
                    "new": change.get("new_display")
                    or _display(change["field"], change["new"], names),
                }
                for change in entry["changes"]
            ],
        }
        for entry, record in zip(entries, records, strict=False)
    ]


def _model_field(name: str):
    try:
        return Asset._meta.get_field(_HISTORY_MODEL_FIELDS.get(name, name))
    except FieldDoesNotExist:
        return None


def _field_label(name: str) -> str:
    field = _model_field(name)
    return str(field.verbose_name) if field is not None else name.replace("_", " ")


def _names_in(entries: list[dict]) -> dict[str, dict[str, str]]:
    """Names of the districts and agencies the entries mention, in two queries."""
    codes: dict[str, set] = {"district": set(), "agency": set()}
    for entry in entries:
        for change in entry["changes"]:
            key = {"kelurahan_code": "district", "kecamatan_code": "district"}.get(
                change["field"], "agency" if change["field"] == "custodian_agency" else None
            )
            if key:
                codes[key].update(v for v in (change["old"], change["new"]) if v)
    return {
        "district": dict(
            District.objects.filter(code__in=codes["district"]).values_list("code", "name")
        ),
        "agency": dict(Agency.objects.filter(code__in=codes["agency"]).values_list("code", "name")),
    }


def _display(name: str, value: Any, names: dict[str, dict[str, str]]) -> str:
    if value in (None, ""):
        return EMPTY
    if name in ("kelurahan_code", "kecamatan_code"):
        return names["district"].get(value, value)
    if name == "custodian_agency":
        return names["agency"].get(value, value)
    if name == "geometry":
        return str(GEOMETRY_CHANGED)
    if isinstance(value, bool):
        return _yes_no(value)
    field = _model_field(name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, float):
        return _number(value)
    return str(value)


# --- the outlet page --------------------------------------------------------------------------


def outlet_page(*, user, pk: int) -> dict[str, Any]:
    """What `/gerai/<pk>/` shows to `user` (the API's outlet readers: every role). Stalls show
    their state only: who leases a stall is personal data the page has no need of."""
    _require(user, ROLES, OUTLET_PAGE_FORBIDDEN)
    outlet = get_object_or_404(
        Outlet.objects.select_related("asset__kelurahan", "asset__kecamatan"), pk=pk
    )
    stalls = [
        {
            "code": stall.code,
            "kind": stall.get_kind_display(),
            "area": _number(stall.area_m2),
            "fee": stall.monthly_fee,
            "amenities": ", ".join(
                str(label)
                for present, label in ((stall.has_power, POWER), (stall.has_water, WATER))
                if present
            ),
            "state": str(dict(stall._meta.get_field("status").flatchoices)[stall.state]),
            "state_code": stall.state,
        }
        for stall in stall_list(outlet=outlet)
    ]
    rounds = AllocationRound.objects.filter(outlets=outlet).order_by("-id")
    public = rounds.filter(status__in=(RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.ALLOCATED))
    asset = outlet.asset
    return {
        "outlet": outlet,
        "asset": asset,
        # Staff read the asset's page and the map; a vendor sees the asset's name only.
        "staff": has_role(user, *STAFF_ROLES),
        "district": ", ".join(d.name for d in (asset.kelurahan, asset.kecamatan) if d is not None),
        "stalls": stalls,
        "counts": {
            state: sum(1 for s in stalls if s["state_code"] == state)
            for state in ("vacant", "offered", "leased")
        },
        "open_round": rounds.filter(status=RoundStatus.OPEN).first(),
        "public_round": public.first(),
        "vendor": has_role(user, VENDOR),
    }
