"""`/aset/<id>/` and `/gerai/<id>/`: an asset and an outlet as people read them, linked from the
map instead of the API's raw JSON.

Views parse and render; `web.page_selectors` decides what each role sees (the API's read roles
for the same object). Anonymous visitors go to the sign-in page and come back.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from web.page_selectors import asset_page, outlet_page


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "web/pages/asset.html", asset_page(user=request.user, pk=pk))


@login_required
def outlet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "web/pages/outlet.html", outlet_page(user=request.user, pk=pk))
