"""Reference facilities in /admin/ (#18 item 1): which roles may keep them, and which city assets
a row added, moved or deleted there re-assesses.

The set-up is the Sawangan scenario of test_scenario_private_supply, with the private SDs on the
61 far nodes only: the city's SD on the central node then leaves 2,066 of its 16,660 catchment
residents beyond every other SD (coverage fails) while 61 + 61 SDs remain against the 92 needed
(capacity passes). One private SD on a node 600 m from it reaches every catchment cell; on a
node 1,200 m away it leaves 1,722 residents unreached (both reckoned from the cell table by
`expected_coverage`, as the scenario tests do). A change re-assesses the city SDs within twice
the 1,000 m radius of the old or new point; Sawangan's count (123 or 124 against 92) crosses
nothing, so no capacity verdict there can move, and a city SD in Beji is left alone.
"""

import math

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

import numpy as np

from assets_app.models import Asset
from assets_app.repurposing import asset_assessment
from assets_app.services import asset_update
from core.roles import ASSET_APPROVER, ASSET_OFFICER, OUTLET_MANAGER, PLANNER, VENDOR
from facilities.models import ReferenceFacility
from facilities.services import facilities_import
from geodata.selectors import population_surface
from tests.assets_app.scenarios import SAWANGAN, expected_coverage, grid_nodes, to_lonlat, to_xy
from tests.conftest import TEST_LANGUAGE
from tests.facilities.test_scenario_private_supply import (
    by_rule,
    private_csv,
    sawangan,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/facilities/referencefacility/"
ADD = f"{CHANGELIST}add/"
RADIUS = 1000.0
BEJI = "32.76.06"


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=TEST_LANGUAGE)
    client.force_login(user)
    return client


def distance(a, b) -> float:
    return float(np.hypot(*(np.array(to_xy(*a)) - np.array(to_xy(*b)))))


def within_twice_the_radius(*points) -> set[int]:
    """The city SDs a change at these (lon, lat) points re-assesses, reckoned here."""
    return {
        pk
        for pk, lon, lat in Asset.objects.filter(facility_type="sd").values_list("id", "lon", "lat")
        if any(distance((lon, lat), p) <= 2 * RADIUS for p in points)
    }


def stamps() -> dict[int, object]:
    return dict(Asset.objects.values_list("id", "assessed_at"))


def reassessed_since(before: dict[int, object]) -> set[int]:
    return {pk for pk, at in stamps().items() if at != before[pk]}


def add_form(lon: float, lat: float) -> dict:
    """The admin add form as a planner fills it in (blank capacity, no linked asset)."""
    return {
        "kind": "school",
        "facility_type": "sd",
        "category": "sd",
        "level": "basic",
        "national_id": "99200001",
        "name": "SD SWASTA TAMBAHAN",
        "provider": "private",
        "address": "",
        "capacity_students": "",
        "capacity_rombel": "",
        "capacity_beds": "",
        "status": "operating",
        "lon": repr(lon),
        "lat": repr(lat),
        "source": "Dapodik, entered by hand",
        "asset": "",
    }


def coverage(central) -> dict:
    return by_rule(asset_assessment(asset=central))["coverage"]


def expected(central) -> dict:
    state = list(Asset.objects.filter(facility_type="sd").exclude(pk=central.pk))
    private = list(ReferenceFacility.objects.filter(status="operating"))
    return expected_coverage(central, state + private, RADIUS)


@pytest.fixture
def scene(sawangan, make_asset, make_user):  # noqa: F811 (the fixture imported above)
    central = sawangan["central"]
    beji = make_asset(use="education", facility_type="sd")  # far away, in Beji
    report = facilities_import(file=private_csv(sawangan["far"]), fmt="csv", user=None, source="t")
    assert (report["created"], report["errors"]) == (61, [])
    nodes = sawangan["near"]
    centre = (central.lon, central.lat)
    at = {round(distance(to_lonlat(*p), centre)): to_lonlat(*p) for p in nodes}
    assert sorted(at) == [600, 849, 1200]
    assert (beji.kecamatan_id, central.kecamatan_id) == (BEJI, SAWANGAN)
    # Beji is beyond twice the radius of every point used here
    assert min(distance((beji.lon, beji.lat), p) for p in [*at.values(), centre]) > 6 * RADIUS
    return {
        "central": central,
        "beji": beji,
        "near": at[600],
        "farther": at[1200],
        "planner": signed_in(make_user(PLANNER)),
    }


def test_a_planner_adds_then_moves_a_private_school_and_only_its_reach_is_reassessed(scene):
    central, planner = scene["central"], scene["planner"]
    central.refresh_from_db()
    assert central.repurposable is False
    without = coverage(central)
    assert (without["covered_population"], without["newly_uncovered_population"]) == (16_660, 2_066)
    assert without["newly_uncovered_population"] == expected(central)["newly_uncovered_population"]
    before = stamps()

    # when: a planner adds a private SD 600 m from the city's SD through the add form
    response = planner.post(ADD, add_form(*scene["near"]), follow=True)

    # then: the city's SD is repurposable, stored in the same request
    assert response.status_code == 200
    added = ReferenceFacility.objects.get(national_id="99200001")
    assert (added.kecamatan_id, added.provider) == (SAWANGAN, "private")
    central.refresh_from_db()
    assert central.repurposable is True
    with_it = coverage(central)
    assert (with_it["covered_population"], with_it["newly_uncovered_population"]) == (16_660, 0)
    assert expected(central)["newly_uncovered_population"] == 0
    assert with_it["nearest_alternative_m"] == pytest.approx(600.0, abs=0.2)
    # and: exactly the city SDs within 2,000 m of the new point were re-assessed, not Beji's
    reach = within_twice_the_radius(scene["near"])
    assert central.pk in reach
    assert scene["beji"].pk not in reach
    assert reassessed_since(before) == reach
    assert f"{len(reach)} city assets re-assessed." in response.content.decode()

    # when: the planner moves it (its point alone) to a node 1,200 m from the city's SD
    before = stamps()
    form = add_form(*scene["farther"])
    response = planner.post(f"{CHANGELIST}{added.pk}/change/", form, follow=True)

    # then: the city's SD is no longer repurposable
    assert response.status_code == 200
    added.refresh_from_db()
    assert (added.lon, added.lat) == pytest.approx(scene["farther"])
    central.refresh_from_db()
    assert central.repurposable is False
    moved = coverage(central)
    assert (moved["covered_population"], moved["newly_uncovered_population"]) == (16_660, 1_722)
    assert moved["newly_uncovered_population"] == expected(central)["newly_uncovered_population"]
    # and: the SDs near the old or the new point were re-assessed, Beji's still not
    reach = within_twice_the_radius(scene["near"], scene["farther"])
    assert reassessed_since(before) == reach
    assert scene["beji"].pk not in reach
    assert f"{len(reach)} city assets re-assessed." in response.content.decode()


def one_school_csv(lon: float, lat: float) -> bytes:
    return (
        "NPSN,Nama,Bentuk Pendidikan,Status Sekolah,Alamat,Lintang,Bujur\n"
        f"99300001,SD SWASTA IMPOR,SD,Swasta,-,{lat!r},{lon!r}\n"
    ).encode()


def test_a_small_import_reassesses_only_what_its_rows_reach(scene):
    # given
    central = scene["central"]
    before = stamps()

    # when: a list of one private SD 600 m from the city's is imported
    report = facilities_import(
        file=one_school_csv(*scene["near"]), fmt="csv", user=None, source="Dapodik"
    )

    # then: as the admin's add, only the city SDs within twice the radius are re-assessed, and
    # the city's SD is repurposable with every catchment resident still reached
    reach = within_twice_the_radius(scene["near"])
    assert (report["created"], report["errors"]) == (1, [])
    assert reassessed_since(before) == reach
    assert report["reassessed"] == len(reach) == 22
    central.refresh_from_db()
    assert central.repurposable is True
    assert coverage(central)["newly_uncovered_population"] == 0


def test_a_large_import_reassesses_the_facility_types_whole(scene, monkeypatch):
    # given: imports of more rows than the narrow re-assessment takes (here: any)
    monkeypatch.setattr("facilities.services.NARROW_REASSESSMENT_ROWS", 0)
    before = stamps()

    # when
    report = facilities_import(
        file=one_school_csv(*scene["near"]), fmt="csv", user=None, source="Dapodik"
    )

    # then: every city SD is re-assessed, Beji's too
    sds = set(Asset.objects.filter(facility_type="sd").values_list("id", flat=True))
    assert reassessed_since(before) == sds
    assert report["reassessed"] == len(sds) == 63  # Sawangan's 62 and Beji's


def test_deleting_it_reassesses_the_old_reach_only(scene):
    central, planner = scene["central"], scene["planner"]
    assert planner.post(ADD, add_form(*scene["near"])).status_code == 302
    added = ReferenceFacility.objects.get(national_id="99200001")
    central.refresh_from_db()
    assert central.repurposable is True
    before = stamps()

    response = planner.post(f"{CHANGELIST}{added.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not ReferenceFacility.objects.filter(pk=added.pk).exists()
    central.refresh_from_db()
    assert central.repurposable is False
    assert coverage(central)["newly_uncovered_population"] == 2_066
    assert reassessed_since(before) == within_twice_the_radius(scene["near"])


def test_a_closed_facility_moved_reassesses_nothing(scene):
    # A closed row serves nobody before or after: no city asset's answer can move.
    planner = scene["planner"]
    form = add_form(*scene["near"]) | {"status": "closed"}
    assert planner.post(ADD, form).status_code == 302
    added = ReferenceFacility.objects.get(national_id="99200001")
    before = stamps()

    form = add_form(*scene["farther"]) | {"status": "closed"}
    response = planner.post(f"{CHANGELIST}{added.pk}/change/", form, follow=True)

    assert response.status_code == 200
    assert reassessed_since(before) == set()
    assert "re-assessed" not in response.content.decode()


def test_a_school_that_becomes_an_smp_reassesses_the_sds_and_the_smps_near_it(scene, make_asset):
    central, planner = scene["central"], scene["planner"]
    lon, lat = scene["near"]
    smp_near = make_asset(use="education", facility_type="smp", lon=lon, lat=lat - 0.003)
    smp_far = make_asset(use="education", facility_type="smp")  # in Beji
    assert planner.post(ADD, add_form(lon, lat)).status_code == 302
    added = ReferenceFacility.objects.get(national_id="99200001")
    before = stamps()

    # when: the planner finds it is a junior secondary school
    form = add_form(lon, lat) | {"facility_type": "smp", "category": "smp", "level": "secondary"}
    response = planner.post(f"{CHANGELIST}{added.pk}/change/", form, follow=True)

    # then: the city's SD lost it; the SDs and the SMPs within 2,000 m were re-assessed
    assert response.status_code == 200
    central.refresh_from_db()
    assert central.repurposable is False
    assert coverage(central)["newly_uncovered_population"] == 2_066
    smps = {
        pk
        for pk, a_lon, a_lat in Asset.objects.filter(facility_type="smp").values_list(
            "id", "lon", "lat"
        )
        if distance((a_lon, a_lat), (lon, lat)) <= 2 * RADIUS
    }
    assert smps == {smp_near.pk}
    assert reassessed_since(before) == within_twice_the_radius((lon, lat)) | {smp_near.pk}
    assert smp_far.pk not in reassessed_since(before)


def test_linking_it_to_the_city_school_with_a_capacity_reassesses_that_kecamatan(scene):
    central, planner = scene["central"], scene["planner"]
    assert planner.post(ADD, add_form(*scene["near"])).status_code == 302
    added = ReferenceFacility.objects.get(national_id="99200001")
    before = stamps()

    # when: the row is found to be the city's SD itself, with 300 students
    form = add_form(*scene["near"]) | {"asset": str(central.pk), "capacity_students": "300"}
    response = planner.post(f"{CHANGELIST}{added.pk}/change/", form, follow=True)

    # then: it no longer counts on its own (it is the city's SD), so coverage fails again
    assert response.status_code == 200
    added.refresh_from_db()
    assert added.asset_id == central.pk
    central.refresh_from_db()
    assert central.repurposable is False
    assert coverage(central)["newly_uncovered_population"] == 2_066
    # and: every city SD of Sawangan was re-assessed, as the city SD's stated capacity now
    # weighs in each one's capacity check; Beji's was not
    sawangan_sds = set(
        Asset.objects.filter(facility_type="sd", kecamatan_id=SAWANGAN).values_list("id", flat=True)
    )
    assert len(sawangan_sds) == 62
    reassessed = reassessed_since(before)
    assert reassessed == sawangan_sds | within_twice_the_radius(scene["near"])
    assert scene["beji"].pk not in reassessed
    # a state SD of Sawangan: 122 others remain (the 60 other state SDs, the city's SD and the
    # 61 far private ones; the linked row is the city's SD), the city's SD counted by its 300
    # students x 10.2 residents, the rest by the norm of 1,600 each
    state = Asset.objects.filter(kecamatan_id=SAWANGAN, facility_type="sd").exclude(pk=central.pk)
    capacity = by_rule(asset_assessment(asset=state.order_by("pk").first()))["capacity"]
    assert (capacity["counted_by_capacity"], capacity["counted_by_norm"]) == (1, 121)
    assert capacity["supported_residents"] == 300 * 10.2 + 121 * 1600 == 196_660


def test_the_linked_city_school_going_idle_reassesses_that_kecamatan(scene):
    # given: the private row found to be the city's SD, with 300 students (the only capacity
    # stated in Sawangan, so each SD's capacity check there weighs residents)
    central, planner = scene["central"], scene["planner"]
    assert planner.post(ADD, add_form(*scene["near"])).status_code == 302
    added = ReferenceFacility.objects.get(national_id="99200001")
    form = add_form(*scene["near"]) | {"asset": str(central.pk), "capacity_students": "300"}
    assert planner.post(f"{CHANGELIST}{added.pk}/change/", form).status_code == 302
    before = stamps()

    # when: the city's SD stops serving (its register status becomes idle)
    central.refresh_from_db()
    asset_update(asset=central, data={"status": "idle"}, user=None)

    # then: Sawangan leaves the weighing of residents (no serving facility there states a
    # capacity now), so every SD there is re-assessed, not only those near the school: its
    # count (123 against 92) crosses nothing, so only the capacity it carried tells
    sawangan_sds = set(
        Asset.objects.filter(facility_type="sd", kecamatan_id=SAWANGAN).values_list("id", flat=True)
    )
    reassessed = reassessed_since(before)
    assert sawangan_sds - within_twice_the_radius((central.lon, central.lat))
    assert reassessed == sawangan_sds
    assert scene["beji"].pk not in reassessed
    state = Asset.objects.filter(kecamatan_id=SAWANGAN, facility_type="sd").exclude(pk=central.pk)
    capacity = by_rule(asset_assessment(asset=state.order_by("pk").first()))["capacity"]
    # by the count again: the 60 other state SDs and the 61 far private ones
    assert "counted_by_capacity" not in capacity
    assert (capacity["needed"], capacity["available_after"]) == (92, 121)


def test_the_capacity_count_includes_the_providers_facilities(make_asset, make_user):
    # Tapos needs 3 puskesmas (ceil(population / 120,000), 2020 figures; no puskesmas states a
    # capacity, so the norm's count decides). A city puskesmas P1 stands at the west end; the
    # providers' are added at the east end, more than twice the 3 km radius away, so only
    # capacity links them to P1. With n serving puskesmas in Tapos, P1 would leave n - 1 (it
    # passes from n = 4) and any other asset n - 1 or n: going from n - 1 to n can move a
    # verdict only when n is 3 or 4. So the 2nd entry re-assesses nothing far away, the 3rd and
    # 4th do; this holds only if the providers' puskesmas are counted (the city's alone stay 1).
    tapos = "32.76.10"
    population = population_surface().demand.population_by("kecamatan")[tapos]
    assert math.ceil(round(population, 6) / 120_000) == 3
    nodes = grid_nodes(tapos)
    west = nodes[np.argmin(nodes[:, 0])]
    east = nodes[np.argsort(-nodes[:, 0])[:3]]
    assert min(np.hypot(*(p - west)) for p in east) > 6000
    lon, lat = to_lonlat(*west)
    p1 = make_asset(use="health", facility_type="puskesmas", lon=lon, lat=lat)
    planner = signed_in(make_user(PLANNER))

    def puskesmas_form(i: int, x: float, y: float) -> dict:
        lon, lat = to_lonlat(x, y)
        return add_form(lon, lat) | {
            "kind": "health",
            "facility_type": "puskesmas",
            "category": "puskesmas",
            "level": "primary_care",
            "national_id": f"P32761000{i:02d}",
            "name": f"PUSKESMAS SWASTA {i}",
        }

    def capacity_of_p1() -> tuple[bool, int]:
        check = by_rule(asset_assessment(asset=p1))["capacity"]
        return check["passed"], check["available_after"]

    for i, (reassessed, capacity) in enumerate(
        [(False, (False, 1)), (True, (False, 2)), (True, (True, 3))]
    ):
        before = stamps()
        response = planner.post(ADD, puskesmas_form(i, *east[i]))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert (p1.pk in reassessed_since(before)) is reassessed, i
        assert capacity_of_p1() == capacity, i

    # when: one of the providers' puskesmas is deleted, P1's capacity check fails again
    before = stamps()
    gone = ReferenceFacility.objects.get(national_id="P3276100000")
    response = planner.post(f"{CHANGELIST}{gone.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert p1.pk in reassessed_since(before)
    assert capacity_of_p1() == (False, 2)


@pytest.fixture
def facility():
    facilities_import(
        file=private_csv([to_xy(106.8186, -6.3718)]), fmt="csv", user=None, source="t"
    )
    return ReferenceFacility.objects.get()


def test_roles_in_the_admin(make_user, client, facility):
    change, delete = f"{CHANGELIST}{facility.pk}/change/", f"{CHANGELIST}{facility.pk}/delete/"

    planner = signed_in(make_user(PLANNER))
    for url in (CHANGELIST, ADD, change, delete):
        assert planner.get(url).status_code == 200, url
    assert 'name="lon"' in planner.get(change).content.decode()  # an editable form

    for role in (ASSET_OFFICER, ASSET_APPROVER):
        reader = signed_in(make_user(role))
        assert reader.get(CHANGELIST).status_code == 200, role
        page = reader.get(change)
        assert page.status_code == 200, role
        assert facility.name in page.content.decode()
        assert 'name="lon"' not in page.content.decode()  # read only
        assert reader.get(ADD).status_code == 403, role
        assert reader.get(delete).status_code == 403, role
        assert reader.post(change, add_form(106.80, -6.40)).status_code == 403, role
        assert reader.post(delete, {"post": "yes"}).status_code == 403, role
    facility.refresh_from_db()
    assert (facility.name, facility.lon) == ("SD SWASTA SINTETIS 0", pytest.approx(106.8186))

    manager = signed_in(make_user(OUTLET_MANAGER))
    assert manager.get(CHANGELIST).status_code == 403

    vendor = signed_in(make_user(VENDOR))
    response = vendor.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST}"
    assert ReferenceFacility.objects.count() == 1


PERMISSIONS = {
    PLANNER: {"view", "add", "change", "delete"},
    ASSET_OFFICER: {"view"},
    ASSET_APPROVER: {"view"},
    OUTLET_MANAGER: set(),
}


def granted() -> dict[str, set[str]]:
    from django.contrib.auth.models import Group

    return {
        role: {
            codename.removesuffix("_referencefacility")
            for codename in Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="facilities")
            .values_list("codename", flat=True)
        }
        for role in PERMISSIONS
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_grants_and_its_reverse_revokes():
    assert granted() == PERMISSIONS
    executor = MigrationExecutor(connection)
    executor.migrate([("facilities", "0001_initial")])
    assert granted() == {role: set() for role in PERMISSIONS}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert granted() == PERMISSIONS
