"""The vendor pages: `/` for each visitor, a vendor's own records only (another vendor's ids are
404), the application edited with buttons, results explained, offers decided, the lease."""

import re

import pytest
from django.test import Client

from outlets import services
from outlets.models import Application, Lease, Offer
from tests.outlets.helpers import PASSWORD, apply, make_outlet, make_round, make_vendor, verify
from tests.web.helpers import web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


@pytest.fixture
def outlet(make_asset, manager):
    return make_outlet(
        make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk"), ("D-01", "kitchen"))
    )


@pytest.fixture
def other_outlet(make_asset, manager):
    return make_outlet(make_asset, manager, stalls=(("B-01", "booth", 150000),))


def test_home_for_anonymous_visitors_lists_open_rounds_with_sign_in_and_register(manager, outlet):
    make_round(manager, [outlet], status="open", name="Putaran Beji")
    make_round(manager, [outlet], status="draft", name="Draf rahasia")
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/accounts/login/?next=/"' in html
    assert 'href="/vendor/register/"' in html
    assert "Putaran Beji" in html
    assert "Draf rahasia" not in html
    assert f"{outlet.name}, Kecamatan Beji: vacant stalls: 3" in html
    assert '<html lang="en">' in html
    assert 'data-testid="language-switch"' in html


def test_home_is_indonesian_by_default():
    html = Client().get("/").content.decode()
    assert '<html lang="id">' in html
    assert "Masuk" in html


def test_home_sends_a_vendor_to_her_pages_and_staff_to_the_map(make_user):
    vendor = make_vendor()
    assert web_client(vendor.user).get("/")["Location"] == "/vendor/"
    planner = web_client()
    planner.force_login(make_user("planner"))
    assert planner.get("/")["Location"] == "/map/"


def test_vendor_pages_need_a_vendor(make_user):
    anonymous = Client().get("/vendor/profile/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/vendor/profile/")
    planner = web_client()
    planner.force_login(make_user("planner"))
    assert planner.get("/vendor/").status_code == 403


def test_another_vendors_application_offer_and_lease_are_404(manager, outlet):
    # given: Ani holds an application, an offer and a lease; Budi is another vendor
    ani, budi = make_vendor(), make_vendor()
    round_ = make_round(manager, [outlet], status="open")
    application = apply(ani, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    offer = Offer.objects.get()
    services.offer_accept(offer=offer, user=ani.user)
    lease = Lease.objects.get()
    own, other = web_client(ani.user), web_client(budi.user)
    paths = [
        f"/vendor/applications/{application.pk}/",
        f"/vendor/offers/{offer.pk}/",
        f"/vendor/leases/{lease.pk}/",
    ]
    # then: hers answer 200, to Budi each is a 404 like a missing id
    assert [own.get(p).status_code for p in paths] == [200, 200, 200]
    assert [other.get(p).status_code for p in paths] == [404, 404, 404]
    assert other.get("/vendor/offers/999999/").status_code == 404
    # and Budi cannot decide Ani's offer
    assert other.post(f"/vendor/offers/{offer.pk}/decline/").status_code == 404
    assert Offer.objects.get().status == "accepted"


def _choices(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="choice" value="([^"]+)">', html)


def test_the_application_is_edited_with_buttons_and_saved(manager, outlet, other_outlet):
    vendor = make_vendor()
    round_ = make_round(manager, [outlet, other_outlet], status="open")
    client = web_client(vendor.user)
    url = f"/vendor/rounds/{round_.pk}/apply/"
    kiosk, kitchen, booth = f"{outlet.pk}:kiosk", f"{outlet.pk}:kitchen", f"{other_outlet.pk}:booth"

    # add three choices, one post each, nothing written yet
    page = client.post(url, {"op": "add", "add_choice": kiosk})
    page = client.post(
        url, {"op": "add", "add_choice": kitchen, "choice": _choices(page.content.decode())}
    )
    page = client.post(
        url, {"op": "add", "add_choice": booth, "choice": _choices(page.content.decode())}
    )
    assert _choices(page.content.decode()) == [kiosk, kitchen, booth]
    assert Application.objects.count() == 0
    # move the booth up to second, then remove the kitchen
    page = client.post(url, {"op": "up:2", "choice": [kiosk, kitchen, booth]})
    assert _choices(page.content.decode()) == [kiosk, booth, kitchen]
    page = client.post(url, {"op": "remove:2", "choice": [kiosk, booth, kitchen]})
    assert _choices(page.content.decode()) == [kiosk, booth]
    page = client.post(url, {"op": "down:0", "choice": [kiosk, booth]})
    assert _choices(page.content.decode()) == [booth, kiosk]

    # save
    saved = client.post(url, {"op": "save", "choice": [booth, kiosk]})
    assert saved.status_code == 302
    application = Application.objects.get()
    assert [(c.outlet_id, c.stall_kind) for c in application.choices.order_by("rank")] == [
        (other_outlet.pk, "booth"),
        (outlet.pk, "kiosk"),
    ]
    # edit while open: the saved choices come back, and a change replaces them
    assert _choices(client.get(url).content.decode()) == [booth, kiosk]
    assert client.post(url, {"op": "save", "choice": [kiosk]}).status_code == 302
    assert [c.stall_kind for c in Application.objects.get().choices.all()] == ["kiosk"]
    # withdraw
    assert client.post(f"/vendor/rounds/{round_.pk}/withdraw/").status_code == 302
    assert Application.objects.get().status == "withdrawn"


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"op": "save", "choice": []}, None),
        (
            {"op": "save", "choice": ["999999:kiosk"]},
            "Choose an outlet and stall kind from the list.",
        ),
        (
            {"op": "save", "choice": ["not a choice"]},
            "Choose an outlet and stall kind from the list.",
        ),
        (
            {"op": "add", "add_choice": "1:spaceship"},
            "Choose an outlet and stall kind from the list.",
        ),
    ],
)
def test_a_bad_application_is_a_message_and_writes_nothing(manager, outlet, posted, message):
    vendor = make_vendor()
    round_ = make_round(manager, [outlet], status="open")
    response = web_client(vendor.user).post(f"/vendor/rounds/{round_.pk}/apply/", posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="form-error" role="alert"' in html
    if message:
        assert message in html
    assert Application.objects.count() == 0


def test_more_choices_than_the_round_allows_are_refused(manager, outlet, other_outlet):
    vendor = make_vendor()
    round_ = make_round(manager, [outlet, other_outlet], status="open", max_choices=2)
    choices = [f"{outlet.pk}:kiosk", f"{outlet.pk}:kitchen", f"{other_outlet.pk}:booth"]
    response = web_client(vendor.user).post(
        f"/vendor/rounds/{round_.pk}/apply/", {"op": "save", "choice": choices}
    )
    assert response.status_code == 400
    assert Application.objects.count() == 0


def test_a_closed_round_cannot_be_applied_to(manager, outlet):
    vendor = make_vendor()
    round_ = make_round(manager, [outlet], status="closed")
    client = web_client(vendor.user)
    assert client.get(f"/vendor/rounds/{round_.pk}/apply/").status_code == 404
    response = client.post(
        f"/vendor/rounds/{round_.pk}/apply/", {"op": "save", "choice": [f"{outlet.pk}:kiosk"]}
    )
    assert response.status_code == 404
    assert Application.objects.count() == 0


def test_the_result_explains_each_choice_above_the_one_she_got(manager, outlet):
    # given: one kiosk; a verified WUB member and a non-member both put the kiosk first, the
    # kitchen second
    member, plain = make_vendor(wub=True), make_vendor()
    verify(member, manager)
    round_ = make_round(manager, [outlet], status="open")
    apply(member, round_, (outlet, "kiosk"), (outlet, "kitchen"))
    outlet.stalls.filter(code="K-02").delete()
    application = apply(plain, round_, (outlet, "kiosk"), (outlet, "kitchen"))
    services.round_close(round_=round_, user=manager)
    round_ = services.round_allocate(round_=round_, user=manager)
    application.refresh_from_db()

    # when
    html = web_client(plain.user).get(f"/vendor/applications/{application.pk}/").content.decode()

    # then: she got her second choice; her first choice's cutoff was a verified member
    assert "You got your choice number 2: stall D-01" in html
    kiosk = re.search(r'data-testid="explain-1">(.*?)</section>', html, re.S).group(1)
    assert "not counted as a programme member" in kiosk
    assert "a member of a programme (WUB or women-entrepreneur), verified" in kiosk
    assert "your priority was after the cutoff" in kiosk
    lottery = application.choices.get(rank=1).priority["lottery"]
    assert lottery in kiosk
    assert f'data-testid="seed">{round_.seed}<' in html
    assert f'data-testid="commitment">{round_.seed_commitment}<' in html


def test_an_offer_is_accepted_into_a_lease_and_a_second_decision_is_refused(manager, outlet):
    vendor = make_vendor()
    round_ = make_round(manager, [outlet], status="open", lease_months=12)
    apply(vendor, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    offer = Offer.objects.get()
    client = web_client(vendor.user)

    page = client.get(f"/vendor/offers/{offer.pk}/").content.decode()
    assert 'data-testid="countdown"' in page
    assert "(Depok time, WIB)" in page
    accepted = client.post(f"/vendor/offers/{offer.pk}/accept/")
    lease = Lease.objects.get()
    assert accepted["Location"] == f"/vendor/leases/{lease.pk}/"
    lease_page = client.get(accepted["Location"]).content.decode()
    assert "Rp 250,000" in lease_page
    assert lease.start_date.strftime("%B") in lease_page
    again = client.post(f"/vendor/offers/{offer.pk}/decline/", follow=True)
    assert Offer.objects.get().status == "accepted"
    assert 'class="message message-error"' in again.content.decode()


def test_a_declined_offer_frees_the_stall(manager, outlet):
    vendor = make_vendor()
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))
    services.round_close(round_=round_, user=manager)
    services.round_allocate(round_=round_, user=manager)
    offer = Offer.objects.get()
    response = web_client(vendor.user).post(f"/vendor/offers/{offer.pk}/decline/")
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "declined"
    assert Lease.objects.count() == 0


def test_signing_in_without_a_next_page_lands_a_vendor_on_her_pages():
    vendor = make_vendor()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/accounts/login/", {"username": vendor.user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [("/", 302), ("/vendor/", 302)]
    assert response.status_code == 200
