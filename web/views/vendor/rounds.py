"""Open rounds (their outlets on a small map and as a list) and the vendor's application: ranked
choices added, removed and moved with buttons, saved until the round closes, or withdrawn."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError
from outlets import services
from outlets.choices import StallKind
from web.forms.application import ChoicesEdit
from web.views.vendor._common import vendor_page
from web.views.vendor.map_svg import outlets_map
from web.views.vendor.queries import (
    groups_of,
    my_live_application,
    open_rounds,
    outlets_described,
    round_open_or_404,
)

APPLICATION_SAVED = _("Your application is saved. You can change it until the round closes.")
APPLICATION_WITHDRAWN = _("Your application is withdrawn.")


@vendor_page
def round_list(request):
    rounds = open_rounds()
    outlet_ids = sorted({o.pk for r in rounds for o in r.outlets.all()})
    described = {d["outlet"].pk: d for d in outlets_described(outlet_ids)}
    items = [
        {
            "round": r,
            "outlets": [described[o.pk] for o in r.outlets.all() if o.pk in described],
            "application": my_live_application(request.vendor, r),
        }
        for r in rounds
    ]
    context = {"items": items, "map": outlets_map(list(described.values()))}
    return render(request, "web/vendor/rounds.html", context)


def _group_label(group: dict) -> str:
    return f"{group['outlet_name']}: {StallKind(group['stall_kind']).label}"


@require_http_methods(["GET", "POST"])
@vendor_page
def apply(request, round_id: int):
    round_ = round_open_or_404(round_id)
    groups = groups_of(round_)
    labels = {(g["outlet"], g["stall_kind"]): _group_label(g) for g in groups}
    application = my_live_application(request.vendor, round_)
    status = 200
    if request.method == "POST":
        edit = ChoicesEdit(request.POST, groups)
        edit.apply()
        if edit.op == "save" and not edit.errors:
            try:
                if application is None:
                    services.application_create(
                        round_=round_, user=request.user, choices=edit.service_choices()
                    )
                else:
                    services.application_update(
                        application=application,
                        user=request.user,
                        choices=edit.service_choices(),
                    )
            except ValidationError as exc:
                edit.errors.extend(exc.messages)
            except ApplicationError as exc:
                edit.errors.append(str(exc.message))
            else:
                messages.success(request, APPLICATION_SAVED)
                return redirect("vendor:apply", round_id=round_.pk)
        if edit.errors:
            status = 400
    else:
        edit = ChoicesEdit(None, groups)
        if application is not None:
            edit.choices = [(c.outlet_id, c.stall_kind) for c in application.choices.all()]
    chosen = [
        {"value": f"{o}:{k}", "label": labels.get((o, k), f"{o}:{k}")} for o, k in edit.choices
    ]
    available = [
        {"value": f"{g['outlet']}:{g['stall_kind']}", "label": _group_label(g), "group": g}
        for g in groups
        if (g["outlet"], g["stall_kind"]) not in edit.choices
    ]
    context = {
        "round": round_,
        "application": application,
        "chosen": chosen,
        "available": available,
        "errors": edit.errors,
        "full": len(chosen) >= round_.max_choices,
        "unsaved": request.method == "POST",
    }
    return render(request, "web/vendor/apply.html", context, status=status)


@require_POST
@vendor_page
def withdraw(request, round_id: int):
    round_ = round_open_or_404(round_id)
    application = my_live_application(request.vendor, round_)
    if application is None:
        return redirect("vendor:apply", round_id=round_.pk)
    try:
        services.application_withdraw(application=application, user=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, APPLICATION_WITHDRAWN)
    return redirect("vendor:rounds")
