"""`/public/rounds/`: every opened round's public results, for anyone, without signing in.

The page reads the same selector as `GET /api/v1/public/rounds/{id}/` (no personal data) and
links the verification file and the verifier's instructions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from fairness import selectors


def public_rounds(request):
    rounds = list(selectors.public_rounds()[:200])
    stalls = {r.pk: selectors.round_stalls(r) for r in rounds}
    items = [{"round": r, "stalls": stalls[r.pk]} for r in rounds]
    return render(request, "web/public/round_list.html", {"items": items})


def public_round(request, pk: int):
    round_ = get_object_or_404(selectors.public_rounds(), pk=pk)
    data = selectors.public_round(round_)
    data["reserve_percent"] = round(100 * data["params"]["women_reserve_share"])
    return render(request, "web/public/round_detail.html", {"r": data})
