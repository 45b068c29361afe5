"""Rounds and applications over the API: the round's life, its seed, applying, results, roles."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from outlets import services
from outlets.allocation import lottery
from outlets.models import AllocationRound, AllocationRun, Application, ApplicationChoice, Offer
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor, verify

pytestmark = pytest.mark.django_db
URL = "/api/v1/rounds/"


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


@pytest.fixture
def outlet(make_asset, manager):
    return make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("D-01", "kitchen"))
    )


def round_body(outlet, **overrides):
    now = timezone.now()
    data = {
        "name": "Putaran Beji 2026",
        "outlets": [outlet.pk],
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=14)).isoformat(),
    }
    data.update(overrides)
    return data


# --- the round's life ------------------------------------------------------------------------


def test_manager_creates_a_round_with_defaults(client_as, manager, outlet):
    response = client_as(user=manager).post(URL, round_body(outlet), format="json")
    assert response.status_code == 201
    data = response.json()
    round_ = AllocationRound.objects.get()
    assert data["id"] == round_.pk
    assert data["status"] == "draft"
    assert data["outlets"] == [outlet.pk]
    assert (data["acceptance_days"], data["lease_months"], data["max_choices"]) == (7, 12, 3)
    assert (data["women_reserve_share"], data["category_cap"]) == (0.0, None)
    assert (data["seed"], data["seed_commitment"]) == (None, None)
    assert data["applications_count"] == 0
    assert [(g["stall_kind"], g["capacity"]) for g in data["groups"]] == [
        ("kiosk", 2),
        ("kitchen", 1),
    ]
    assert round_.created_by == manager


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"outlets": []}, "outlets"),
        ({"outlets": [999999]}, "outlets"),
        ({"outlets": ["x"]}, "outlets"),
        ({"outlets": "1"}, "outlets"),
        ({"opens_at": "yesterday"}, "opens_at"),
        ({"closes_at": None}, "closes_at"),
        ({"acceptance_days": 0}, "acceptance_days"),
        ({"acceptance_days": 61}, "acceptance_days"),
        ({"lease_months": 0}, "lease_months"),
        ({"lease_months": 61}, "lease_months"),
        ({"lease_months": 1.5}, "lease_months"),
        ({"women_reserve_share": -0.1}, "women_reserve_share"),
        ({"women_reserve_share": 1.01}, "women_reserve_share"),
        ({"women_reserve_share": "nan"}, "women_reserve_share"),
        ({"category_cap": 0}, "category_cap"),
        ({"max_choices": 0}, "max_choices"),
        ({"max_choices": 11}, "max_choices"),
    ],
)
def test_bad_round_input_is_a_400_naming_the_field(client_as, manager, outlet, overrides, field):
    response = client_as(user=manager).post(URL, round_body(outlet, **overrides), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert AllocationRound.objects.count() == 0


def test_closing_before_opening_is_a_400(client_as, manager, outlet):
    now = timezone.now()
    body = round_body(outlet, opens_at=now.isoformat(), closes_at=now.isoformat())
    response = client_as(user=manager).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"closes_at": [str(services.CLOSES_BEFORE_OPENS)]}
    assert AllocationRound.objects.count() == 0


def test_sixty_months_is_the_longest_lease(client_as, manager, outlet):
    response = client_as(user=manager).post(
        URL,
        round_body(outlet, lease_months=60, women_reserve_share=1),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["lease_months"] == 60


def test_a_reserve_and_a_category_cap_are_combined(client_as, manager, outlet):
    # Together they use the split rule (#19), which keeps stability and strategy-proofness.
    response = client_as(user=manager).post(
        URL, round_body(outlet, category_cap=1, women_reserve_share=0.5), format="json"
    )
    assert response.status_code == 201
    assert (response.json()["category_cap"], response.json()["women_reserve_share"]) == (1, 0.5)


def test_open_publishes_the_commitment_not_the_seed(client_as, manager, outlet):
    round_ = make_round(manager, [outlet])
    client = client_as(user=manager)
    response = client.post(f"{URL}{round_.pk}/open/")
    assert response.status_code == 200
    round_.refresh_from_db()
    assert response.json()["status"] == "open"
    assert response.json()["seed"] is None
    assert response.json()["seed_commitment"] == hashlib.sha256(round_.seed.encode()).hexdigest()
    assert len(round_.seed) == 64
    assert round_.seed not in response.content.decode()
    # the seed stays out of the round's history too
    assert not hasattr(AllocationRound.history.model, "seed")
    # and opening twice is a conflict
    again = client.post(f"{URL}{round_.pk}/open/")
    assert again.status_code == 409
    assert again.json() == {"detail": str(services.ROUND_NOT_DRAFT)}


def test_the_state_machine_refuses_steps_out_of_order(client_as, manager, outlet):
    round_ = make_round(manager, [outlet])
    client = client_as(user=manager)
    assert client.post(f"{URL}{round_.pk}/close/").status_code == 409
    response = client.post(f"{URL}{round_.pk}/allocate/")
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.ROUND_NOT_CLOSED)}
    assert client.post(f"{URL}{round_.pk}/open/").status_code == 200
    assert client.post(f"{URL}{round_.pk}/allocate/").status_code == 409
    assert client.post(f"{URL}{round_.pk}/close/").status_code == 200
    assert client.post(f"{URL}{round_.pk}/close/").status_code == 409
    assert client.post(f"{URL}{round_.pk}/allocate/").status_code == 200
    again = client.post(f"{URL}{round_.pk}/allocate/")
    assert again.status_code == 409
    assert again.json() == {"detail": str(services.ROUND_ALREADY_ALLOCATED)}
    assert AllocationRun.objects.count() == 1


def test_results_before_allocation_are_a_409(client_as, manager, outlet):
    round_ = make_round(manager, [outlet], status="closed")
    response = client_as("planner").get(f"{URL}{round_.pk}/results/")
    assert response.status_code == 409


def test_vendors_see_only_open_rounds(client_as, manager, outlet):
    draft = make_round(manager, [outlet])
    open_round = make_round(manager, [outlet], status="open")
    closed = make_round(manager, [outlet], status="closed")
    vendor = client_as(user=make_vendor().user)
    response = vendor.get(URL)
    assert [r["id"] for r in response.json()["results"]] == [open_round.pk]
    assert vendor.get(f"{URL}{open_round.pk}/").status_code == 200
    assert vendor.get(f"{URL}{draft.pk}/").status_code == 404
    assert vendor.get(f"{URL}{closed.pk}/").status_code == 404
    staff = client_as("planner").get(URL).json()["results"]
    assert [r["id"] for r in staff] == [closed.pk, open_round.pk, draft.pk]


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("planner", 403),
        ("vendor", 403),
    ],
)
def test_only_managers_create_and_run_rounds(role_clients, manager, outlet, role, code):
    round_ = make_round(manager, [outlet])
    client = role_clients[role]
    assert client.post(URL, round_body(outlet), format="json").status_code == code
    for step in ("open", "close", "allocate"):
        assert client.post(f"{URL}{round_.pk}/{step}/").status_code == code
    assert AllocationRound.objects.count() == 1
    assert AllocationRound.objects.get().status == "draft"


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("vendor", 403),
        ("planner", 200),
        ("outlet_manager", 200),
    ],
)
def test_results_are_for_managers_and_planners(role_clients, manager, outlet, role, code):
    round_ = make_round(manager, [outlet], status="allocated")
    assert role_clients[role].get(f"{URL}{round_.pk}/results/").status_code == code


@pytest.mark.parametrize(
    ("role", "code"),
    [("anonymous", 401), ("asset_officer", 403), ("asset_approver", 403)],
)
def test_other_staff_cannot_read_rounds(role_clients, role, code):
    assert role_clients[role].get(URL).status_code == code


# --- applications ----------------------------------------------------------------------------


def choices(outlet, *kinds):
    return {"choices": [{"outlet": outlet.pk, "stall_kind": kind} for kind in kinds]}


def test_vendor_applies_and_sees_the_application(client_as, manager, outlet):
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor(wub=True)
    client = client_as(user=vendor.user)
    response = client.post(
        f"{URL}{round_.pk}/applications/", choices(outlet, "kitchen", "kiosk"), format="json"
    )
    assert response.status_code == 201
    application = Application.objects.get()
    data = response.json()
    assert data["id"] == application.pk
    assert data["round"] == round_.pk
    assert data["status"] == "submitted"
    assert [(c["rank"], c["outlet"], c["stall_kind"], c["priority"]) for c in data["choices"]] == [
        (1, outlet.pk, "kitchen", None),
        (2, outlet.pk, "kiosk", None),
    ]
    assert data["priority"] == [None, None]
    assert (data["assigned"], data["offer"], data["seed"]) == (None, None, None)
    mine = client.get("/api/v1/applications/mine/").json()
    assert [a["id"] for a in mine["results"]] == [application.pk]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"choices": []}, services.CHOICES_REQUIRED),
        ("TOO_MANY", str(services.CHOICES_TOO_MANY).format(max_choices=3)),
        ("REPEATED", str(services.CHOICE_REPEATED).format(rank=2)),
        ("OTHER_OUTLET", str(services.CHOICE_NOT_IN_ROUND).format(rank=1)),
        ("NO_BOOTHS", str(services.CHOICE_NOT_IN_ROUND).format(rank=1)),
    ],
)
def test_bad_choices_are_a_400_naming_choices(
    client_as, make_asset, manager, outlet, body, message
):
    other = make_outlet(make_asset, manager)
    round_ = make_round(manager, [outlet], status="open")
    bodies = {
        "TOO_MANY": {
            "choices": [
                {"outlet": outlet.pk, "stall_kind": "kiosk"},
                {"outlet": outlet.pk, "stall_kind": "kitchen"},
                {"outlet": outlet.pk, "stall_kind": "booth"},
                {"outlet": other.pk, "stall_kind": "kiosk"},
            ]
        },
        "REPEATED": choices(outlet, "kiosk", "kiosk"),
        "OTHER_OUTLET": {"choices": [{"outlet": other.pk, "stall_kind": "kiosk"}]},
        "NO_BOOTHS": choices(outlet, "booth"),
    }
    client = client_as(user=make_vendor().user)
    response = client.post(
        f"{URL}{round_.pk}/applications/",
        bodies[body] if isinstance(body, str) else body,
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"choices": [str(message)]}
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"choices": "kiosk"},
        {"choices": [{"outlet": "x", "stall_kind": "kiosk"}]},
        {"choices": [{"outlet": 10**30, "stall_kind": "kiosk"}]},
        {"choices": [{"outlet": 1, "stall_kind": "tent"}]},
        {"choices": [{"stall_kind": "kiosk"}]},
        {"choices": [1]},
    ],
)
def test_malformed_choices_are_a_400_naming_choices(client_as, manager, outlet, body):
    round_ = make_round(manager, [outlet], status="open")
    response = client_as(user=make_vendor().user).post(
        f"{URL}{round_.pk}/applications/", body, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["choices"]
    assert Application.objects.count() == 0


@pytest.mark.parametrize("status", ["draft", "closed", "allocated"])
def test_applying_to_a_round_that_is_not_open_is_a_409(client_as, manager, outlet, status):
    round_ = make_round(manager, [outlet], status=status)
    client = client_as(user=make_vendor().user)
    response = client.post(
        f"{URL}{round_.pk}/applications/", choices(outlet, "kiosk"), format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.ROUND_NOT_OPEN)}
    assert Application.objects.count() == 0


def test_applying_after_the_closing_time_is_a_409(client_as, manager, outlet):
    round_ = make_round(manager, [outlet], status="open")
    AllocationRound.objects.filter(pk=round_.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1),
        opens_at=timezone.now() - timedelta(days=1),
    )
    response = client_as(user=make_vendor().user).post(
        f"{URL}{round_.pk}/applications/", choices(outlet, "kiosk"), format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.ROUND_DEADLINE_PASSED)}
    assert Application.objects.count() == 0


def test_one_application_per_vendor_per_round(client_as, manager, outlet):
    round_ = make_round(manager, [outlet], status="open")
    client = client_as(user=make_vendor().user)
    url = f"{URL}{round_.pk}/applications/"
    assert client.post(url, choices(outlet, "kiosk"), format="json").status_code == 201
    response = client.post(url, choices(outlet, "kitchen"), format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": str(services.APPLICATION_EXISTS)}
    assert Application.objects.count() == 1


def test_change_and_withdraw_while_open_then_apply_again(client_as, manager, outlet):
    round_ = make_round(manager, [outlet], status="open")
    client = client_as(user=make_vendor().user)
    created = client.post(
        f"{URL}{round_.pk}/applications/", choices(outlet, "kiosk"), format="json"
    ).json()
    url = f"/api/v1/applications/{created['id']}/"
    response = client.patch(url, choices(outlet, "kitchen", "kiosk"), format="json")
    assert response.status_code == 200
    assert [c["stall_kind"] for c in response.json()["choices"]] == ["kitchen", "kiosk"]
    assert ApplicationChoice.objects.count() == 2
    bad = client.patch(url, choices(outlet, "booth"), format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["choices"]
    assert ApplicationChoice.objects.count() == 2
    response = client.post(f"{url}withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert client.post(f"{url}withdraw/").status_code == 409
    assert client.patch(url, choices(outlet, "kiosk"), format="json").status_code == 409
    again = client.post(f"{URL}{round_.pk}/applications/", choices(outlet, "kiosk"), format="json")
    assert again.status_code == 201
    assert Application.objects.filter(status="submitted").count() == 1


def test_no_changes_after_the_round_closes(client_as, manager, outlet):
    round_ = make_round(manager, [outlet], status="open")
    vendor = make_vendor()
    application = apply(vendor, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    client = client_as(user=vendor.user)
    url = f"/api/v1/applications/{application.pk}/"
    assert client.patch(url, choices(outlet, "kitchen"), format="json").status_code == 409
    assert client.post(f"{url}withdraw/").status_code == 409
    assert Application.objects.get().status == "submitted"
    assert [c.stall_kind for c in Application.objects.get().choices.all()] == ["kiosk"]


def test_a_vendor_never_sees_another_vendors_application(client_as, manager, outlet):
    round_ = make_round(manager, [outlet], status="open")
    application = apply(make_vendor(), round_, (outlet, "kiosk"))
    intruder = client_as(user=make_vendor().user)
    url = f"/api/v1/applications/{application.pk}/"
    assert intruder.get(url).status_code == 404
    assert intruder.patch(url, choices(outlet, "kitchen"), format="json").status_code == 404
    assert intruder.post(f"{url}withdraw/").status_code == 404
    assert intruder.get("/api/v1/applications/mine/").json()["results"] == []
    assert Application.objects.get().status == "submitted"


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("anonymous", 401),
        ("asset_officer", 403),
        ("asset_approver", 403),
        ("planner", 403),
        ("outlet_manager", 403),
    ],
)
def test_only_vendors_apply(role_clients, manager, outlet, role, code):
    round_ = make_round(manager, [outlet], status="open")
    client = role_clients[role]
    response = client.post(
        f"{URL}{round_.pk}/applications/", choices(outlet, "kiosk"), format="json"
    )
    assert response.status_code == code
    assert client.get("/api/v1/applications/mine/").status_code == code
    assert Application.objects.count() == 0


# --- allocation and results ------------------------------------------------------------------


def test_results_explain_every_assignment(client_as, make_asset, manager, outlet):
    # given: two kiosks, three applicants; one member, one local non-member, one outsider
    round_ = make_round(manager, [outlet], status="open")
    member = make_vendor(wub=True, kelurahan="32.76.03.1010")  # WUB needs a Depok domicile
    local = make_vendor()
    outsider = make_vendor(kelurahan="32.76.03.1011")
    for vendor in (member, local, outsider):
        verify(vendor, manager)  # only verified claims count
    a_member = apply(member, round_, (outlet, "kiosk"))
    a_local = apply(local, round_, (outlet, "kiosk"), (outlet, "kitchen"))
    a_outsider = apply(outsider, round_, (outlet, "kiosk"), (outlet, "kitchen"))
    services.round_close(round_=round_, user=manager)

    # when
    response = client_as(user=manager).post(f"{URL}{round_.pk}/allocate/")
    assert response.status_code == 200
    round_.refresh_from_db()
    seed = round_.seed

    # then: kiosk: member (tier 0) then local (1, 0); the outsider takes the kitchen
    results = client_as("planner").get(f"{URL}{round_.pk}/results/").json()
    assert results["seed"] == seed
    assert results["seed_commitment"] == hashlib.sha256(seed.encode()).hexdigest()
    assert results["engine_version"] == "deferred-acceptance/2"
    assert len(results["input_sha256"]) == 64
    by_id = {a["id"]: a for a in results["applications"]}

    def key(programme, local_tier, app):
        return {"programme": programme, "local": local_tier, "lottery": str(lottery(seed, app.pk))}

    assert by_id[a_member.pk]["priority"] == [key(0, 1, a_member)]
    assert by_id[a_local.pk]["priority"] == [key(1, 0, a_local), key(1, 0, a_local)]
    assert by_id[a_outsider.pk]["priority"] == [key(1, 1, a_outsider), key(1, 1, a_outsider)]
    assert by_id[a_member.pk]["assigned"] == {
        "outlet": outlet.pk,
        "stall_kind": "kiosk",
        "stall": by_id[a_member.pk]["assigned"]["stall"],
        "stall_code": "K-01",
        "choice_rank": 1,
    }
    assert by_id[a_local.pk]["assigned"]["stall_code"] == "K-02"
    assert by_id[a_outsider.pk]["assigned"]["stall_code"] == "D-01"
    assert by_id[a_outsider.pk]["assigned"]["choice_rank"] == 2
    groups = {g["stall_kind"]: g for g in results["groups"]}
    assert groups["kiosk"]["capacity"] == 2
    assert groups["kiosk"]["reserved"] == 0
    assert groups["kiosk"]["cutoff"] == key(1, 0, a_local)
    assert groups["kitchen"]["cutoff"] == key(1, 1, a_outsider)
    assert results["counts"]["assigned"] == 3
    assert Offer.objects.count() == 3

    # the vendor sees the same for her own application
    mine = client_as(user=local.user).get("/api/v1/applications/mine/").json()["results"][0]
    assert mine["priority"] == by_id[a_local.pk]["priority"]
    assert mine["assigned"] == by_id[a_local.pk]["assigned"]
    assert mine["groups"][0]["cutoff"] == groups["kiosk"]["cutoff"]
    assert mine["seed"] == seed
    assert mine["offer"]["stall_code"] == "K-02"
