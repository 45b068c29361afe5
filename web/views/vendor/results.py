"""The vendor's outcome in a round, and why: for each choice ranked above the one she got (all of
them when she got none), that group's cutoff beside her own priority in words, and the round's
published seed with how to check it. Read from the stored allocation results (the choices'
priorities, the run's group figures), the same data `GET applications/mine/` answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from outlets.choices import ApplicationStatus, RoundStatus
from outlets.models import Application
from web.views.vendor._common import vendor_page
from web.views.vendor.queries import my_application

TIER_MEMBER = _("a member of a programme (WUB or women-entrepreneur), verified")
TIER_NOT_MEMBER = _("not counted as a programme member")
TIER_LOCAL = _("a resident of the outlet's kecamatan, verified")
TIER_NOT_LOCAL = _("not counted as a resident of the outlet's kecamatan")
WHY_BEHIND = _("The stalls went to applicants ahead of you: your priority was after the cutoff.")
WHY_NOT_FULL = _(
    "This group did not fill, yet you were not placed in it: its reserved seats or a product "
    "category's cap applied."
)


def _key(priority: dict | None) -> tuple[int, int, int] | None:
    if not priority:
        return None
    return (int(priority["programme"]), int(priority["local"]), int(priority["lottery"]))


@dataclass
class ChoiceLine:
    rank: int
    outlet: str
    kecamatan: str
    stall_kind: str
    got: bool
    above: bool  # ranked above the choice she got (or she got none)
    programme: str
    local: str
    lottery: str
    cutoff: dict | None
    capacity: int | None
    why: str


def tier_words(priority: dict | None) -> tuple[str, str]:
    if not priority:
        return "", ""
    programme = TIER_MEMBER if int(priority["programme"]) == 0 else TIER_NOT_MEMBER
    local = TIER_LOCAL if int(priority["local"]) == 0 else TIER_NOT_LOCAL
    return str(programme), str(local)


def _kecamatan_name(outlet) -> str:
    kecamatan = outlet.asset.kecamatan
    return kecamatan.name if kecamatan is not None else ""


def explain(application: Application) -> list[ChoiceLine]:
    run = (
        getattr(application.round, "run", None) if application.round.status == "allocated" else None
    )
    figures = {
        (g["outlet"], g["stall_kind"]): g for g in (run.figures.get("groups", []) if run else [])
    }
    offer = getattr(application, "offer", None)  # the reverse one-to-one raises AttributeError
    got_rank = offer.choice_rank if offer is not None else None
    lines = []
    for choice in application.choices.all():
        group = figures.get((choice.outlet_id, choice.stall_kind))
        programme, local = tier_words(choice.priority)
        cutoff = group["cutoff"] if group else None
        cutoff_words = tier_words(cutoff)
        above = got_rank is None or choice.rank < got_rank
        why = ""
        if above and group is not None:
            filled = group["assigned"] >= group["capacity"]
            why = str(WHY_BEHIND) if filled else str(WHY_NOT_FULL)
        lines.append(
            ChoiceLine(
                rank=choice.rank,
                outlet=choice.outlet.name,
                kecamatan=choice.outlet.asset.kecamatan.name
                if choice.outlet.asset.kecamatan
                else "",
                stall_kind=choice.get_stall_kind_display(),
                got=choice.rank == got_rank,
                above=above,
                programme=programme,
                local=local,
                lottery=(choice.priority or {}).get("lottery", ""),
                cutoff=(
                    {**cutoff, "programme": cutoff_words[0], "local": cutoff_words[1]}
                    if cutoff
                    else None
                ),
                capacity=group["capacity"] if group else None,
                why=why,
            )
        )
    return lines


@vendor_page
def application_detail(request, application_id: int):
    application = my_application(request.vendor, application_id)
    offer = getattr(application, "offer", None)
    allocated = application.round.status == RoundStatus.ALLOCATED
    context = {
        "application": application,
        "round": application.round,
        "offer": offer,
        "allocated": allocated,
        "lines": explain(application) if allocated else [],
        "unassigned": application.status == ApplicationStatus.UNASSIGNED,
        "seed": application.round.revealed_seed,
        "commitment": application.round.seed_commitment,
        "claims": application.claims,
    }
    return render(request, "web/vendor/application.html", context)
