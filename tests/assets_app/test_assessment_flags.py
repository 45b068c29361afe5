"""The stored `repurposable` flag (and the asset list's `repurposable` filter) follows changes to
neighbouring facilities: registering, editing (status, position, type), reclassifying."""

import math

import pytest

import numpy as np

from assets_app.models import Asset
from assets_app.repurposing import affected_asset_ids, assets_assess
from assets_app.services import asset_update, reclassification_propose
from core.roles import ASSET_APPROVER, ASSET_OFFICER
from geodata.selectors import population_surface
from tests.assets_app.scenarios import expected_coverage, grid_nodes, to_lonlat
from tests.conftest import approve_with_decree

pytestmark = pytest.mark.django_db

LIMO = "32.76.04"
TAPOS = "32.76.10"
SAWANGAN = "32.76.03"


def point_in(code: str) -> tuple[float, float]:
    nodes = grid_nodes(code)
    return to_lonlat(*nodes[len(nodes) // 2])


def flag(asset) -> bool | None:
    return Asset.objects.get(pk=asset.pk).repurposable


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def test_flag_follows_a_neighbouring_hospital(make_asset, make_user):
    # Every kecamatan needs one hospital (population < 240,000), so a hospital is repurposable
    # exactly when another serving hospital reaches its whole 5 km catchment.
    officer = make_user(ASSET_OFFICER)
    lon, lat = point_in(LIMO)
    a = make_asset(use="health", facility_type="hospital", lon=lon, lat=lat)
    assert flag(a) is False  # alone: coverage and capacity fail

    # a second hospital on the same site
    b = make_asset(use="health", facility_type="hospital", lon=lon, lat=lat)
    assert (flag(a), flag(b)) == (True, True)

    # it falls idle: it no longer serves, so A is again the only one
    asset_update(asset=b, user=officer, data={"status": "idle"})
    assert (flag(a), flag(b)) == (False, True)

    asset_update(asset=b, user=officer, data={"status": "in_service"})
    assert flag(a) is True

    # it moves 3 km east: part of A's catchment is out of its reach
    bx, by = grid_nodes(LIMO)[len(grid_nodes(LIMO)) // 2]
    far = to_lonlat(bx + 3000.0, by)
    asset_update(asset=b, user=officer, data={"geometry": point(*far)})
    b.refresh_from_db()
    assert (
        expected_coverage(Asset.objects.get(pk=a.pk), [b], 5000.0)["newly_uncovered_population"] > 0
    )
    assert flag(a) is False

    # back on site, but as a puskesmas: not a hospital any more
    asset_update(asset=b, user=officer, data={"geometry": point(lon, lat)})
    assert flag(a) is True
    asset_update(asset=b, user=officer, data={"facility_type": "puskesmas"})
    assert flag(a) is False


def test_approval_reassesses_the_neighbours(make_asset, make_user):
    officer, approver = make_user(ASSET_OFFICER), make_user(ASSET_APPROVER)
    lon, lat = point_in(LIMO)
    a = make_asset(use="health", facility_type="hospital", lon=lon, lat=lat)
    b = make_asset(use="health", facility_type="hospital", lon=lon, lat=lat)
    assert (flag(a), flag(b)) == (True, True)
    # when: B is reclassified for economic use
    proposal = reclassification_propose(asset=b, user=officer, reason="Moved to the new wing.")
    approve_with_decree(
        proposal, reviewer=make_user(ASSET_OFFICER), approver=approver, note="Agreed."
    )
    # then: A is the only hospital left; B is designated and no longer a candidate
    assert (flag(a), flag(b)) == (False, False)


def test_asset_list_filter_follows_neighbour_changes(make_asset, make_user, client_as):
    officer = make_user(ASSET_OFFICER)
    planner = client_as("planner")
    lon, lat = point_in(LIMO)
    a = make_asset(use="health", facility_type="hospital", lon=lon, lat=lat)
    office = make_asset(use="office")

    def listed(value: str) -> list[int]:
        response = planner.get(f"/api/v1/assets/?repurposable={value}")
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    assert listed("true") == [office.pk]
    b = make_asset(use="health", facility_type="hospital", lon=lon, lat=lat)
    assert listed("true") == sorted([a.pk, b.pk, office.pk])
    asset_update(asset=b, user=officer, data={"status": "disposed"})
    assert listed("true") == [office.pk]
    assert listed("false") == sorted([a.pk, b.pk])


def test_far_facilities_in_other_kecamatan_are_left_alone(make_asset):
    # given: an SD in Sawangan, far (> 2 km) from Beji
    lon, lat = point_in(SAWANGAN)
    far = make_asset(use="education", facility_type="sd", lon=lon, lat=lat)
    stamp = Asset.objects.get(pk=far.pk).assessed_at
    # when: an SD is registered in Beji
    near = make_asset(use="education", facility_type="sd")
    # then
    assert affected_asset_ids(asset=near) == {near.pk}
    assert Asset.objects.get(pk=far.pk).assessed_at == stamp


def test_capacity_links_facilities_across_a_kecamatan(make_asset):
    # Tapos needs N = ceil(population / 120,000) puskesmas (3 with the 2020 figures). Puskesmas
    # at opposite ends of Tapos are more than twice the 3 km radius apart, so only capacity
    # links them: P1's capacity verdict can change only when the kecamatan's count reaches N
    # (what others could lose) or N + 1 (what remains after removing P1 reaches N).
    population = population_surface().demand.population_by("kecamatan")[TAPOS]
    needed = math.ceil(round(population, 6) / 120_000)
    assert needed == 3
    nodes = grid_nodes(TAPOS)
    west, east = nodes[np.argmin(nodes[:, 0])], nodes[np.argmax(nodes[:, 0])]
    assert np.hypot(*(east - west)) > 6000

    def add(x, y):
        lon, lat = to_lonlat(x, y)
        return make_asset(use="health", facility_type="puskesmas", lon=lon, lat=lat)

    def stamp(asset):
        return Asset.objects.get(pk=asset.pk).assessed_at

    p1 = add(*west)
    for total in range(2, needed + 3):
        before = stamp(p1)
        add(*east)
        if total in (needed, needed + 1):
            assert stamp(p1) > before, total
        else:
            assert stamp(p1) == before, total
        if total == needed + 1:
            # capacity passes now, but its catchment has no other puskesmas
            assert flag(p1) is False


def test_assess_assets_recomputes_every_flag(make_asset):
    office = make_asset(use="office")
    sd = make_asset(use="education", facility_type="sd")
    Asset.objects.update(repurposable=None, assessed_at=None)
    counts = assets_assess()
    assert counts == {"assessed": 2, "repurposable": 1, "not_repurposable": 1}
    assert (flag(office), flag(sd)) == (True, False)
    assert Asset.objects.filter(assessed_at__isnull=True).count() == 0
