"""Notifications to vendors: stored per channel, sent after the commit, retried on failure, and
never able to undo the offer that caused them; the daily reminders are idempotent."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from notifications import reminders
from notifications.models import GatewayMessage, Notification
from notifications.services import notifications_retry
from outlets import services
from outlets.models import Lease, Offer
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor
from tests.web.helpers import web_client

pytestmark = pytest.mark.django_db


class BrokenGateway:
    """A provider that is down: every send raises, as a real one does on a network error."""

    def send(self, *, to: str, body: str) -> None:
        raise ConnectionError("gateway unreachable")


@pytest.fixture
def manager(make_user):
    return make_user("outlet_manager")


@pytest.fixture
def outlet(make_asset, manager):
    return make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"),))


def _vendor_with_mail(email="siti@example.test"):
    vendor = make_vendor(username="siti")
    vendor.user.email = email
    vendor.user.save(update_fields=["email"])
    return vendor


def _allocate(client_as, manager, round_, capture):
    services.round_close(round_=round_, user=manager)
    with capture(execute=True):
        response = client_as(user=manager).post(f"/api/v1/rounds/{round_.pk}/allocate/")
    assert response.status_code == 200
    return Offer.objects.get()


def test_an_offer_sends_an_email_and_an_sms_after_the_allocation_commits(
    client_as, manager, outlet, django_capture_on_commit_callbacks
):
    # given
    vendor = _vendor_with_mail()
    round_ = make_round(manager, [outlet], status="open", name="Putaran Beji 2027")
    apply(vendor, round_, (outlet, "kiosk"))

    # when
    offer = _allocate(client_as, manager, round_, django_capture_on_commit_callbacks)

    # then: one e-mail in the outbox, one SMS in the gateway's record, both stored as sent
    deadline = timezone.localtime(offer.expires_at, timezone.get_default_timezone())
    shown = deadline.strftime("%d-%m-%Y %H:%M")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti@example.test"]
    assert mail.outbox[0].subject == "Anda mendapat tawaran kios K-01"
    assert f"sebelum {shown} (waktu Depok)" in mail.outbox[0].body
    assert f"http://localhost:8000/vendor/offers/{offer.pk}/" in mail.outbox[0].body
    sms = GatewayMessage.objects.get()
    assert sms.to == "081234567890"
    assert sms.body == mail.outbox[0].body
    rows = Notification.objects.order_by("channel")
    assert [(n.channel, n.template, n.state, n.attempts, n.last_error) for n in rows] == [
        ("email", "offer_made", "sent", 1, ""),
        ("sms", "offer_made", "sent", 1, ""),
    ]
    assert all(n.recipient_id == vendor.user_id and n.sent_at for n in rows)
    assert rows[0].context["offer"] == offer.pk
    # listed on her page, each channel with its state
    page = web_client(vendor.user).get("/vendor/").content.decode()
    table = re.search(r'<table data-testid="notifications">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td>Offer of a stall</td><td>([^<]*)</td><td>([^<]*)</td>", table)
    assert sorted(cells) == [("E-mail", "Sent"), ("SMS / WhatsApp", "Sent")]


def test_a_failing_gateway_is_recorded_and_retried_and_the_offer_stands(
    client_as, manager, outlet, settings, django_capture_on_commit_callbacks
):
    # given: the SMS provider is down
    settings.NOTIFICATION_SMS_BACKEND = "tests.web.test_notifications.BrokenGateway"
    vendor = _vendor_with_mail()
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))

    # when
    offer = _allocate(client_as, manager, round_, django_capture_on_commit_callbacks)

    # then: the offer is there, the e-mail went, the SMS failed and says why
    assert offer.status == "open"
    assert offer.application.vendor_id == vendor.pk
    sms = Notification.objects.get(channel="sms")
    assert (sms.state, sms.attempts, sms.sent_at) == ("failed", 1, None)
    assert sms.last_error == "ConnectionError: gateway unreachable"
    assert Notification.objects.get(channel="email").state == "sent"
    assert GatewayMessage.objects.count() == 0

    # a retry while it is still down counts a second attempt
    assert notifications_retry() == {"tried": 1, "sent": 0, "failed": 1}
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == ("failed", 2)

    # when the provider is back, the retry sends it once, and a further retry sends nothing
    settings.NOTIFICATION_SMS_BACKEND = "notifications.gateways.RecordingGateway"
    assert notifications_retry() == {"tried": 1, "sent": 1, "failed": 0}
    assert notifications_retry() == {"tried": 0, "sent": 0, "failed": 0}
    sms.refresh_from_db()
    assert (sms.state, sms.attempts, sms.last_error) == ("sent", 3, "")
    assert GatewayMessage.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Offer.objects.get().status == "open"


def test_a_send_that_keeps_failing_is_abandoned_after_the_last_attempt(
    client_as, manager, outlet, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_SMS_BACKEND = "tests.web.test_notifications.BrokenGateway"
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    vendor = make_vendor()  # no e-mail address: SMS only
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))
    _allocate(client_as, manager, round_, django_capture_on_commit_callbacks)

    assert notifications_retry() == {"tried": 1, "sent": 0, "failed": 1}
    assert notifications_retry() == {"tried": 0, "sent": 0, "failed": 0}
    sms = Notification.objects.get()
    assert (sms.channel, sms.state, sms.attempts) == ("sms", "abandoned", 2)
    assert len(mail.outbox) == 0
    assert Offer.objects.count() == 1


def test_offer_reminders_go_once_within_24_hours_of_the_deadline(
    client_as, manager, outlet, django_capture_on_commit_callbacks
):
    vendor = _vendor_with_mail()
    round_ = make_round(manager, [outlet], status="open")
    apply(vendor, round_, (outlet, "kiosk"))
    offer = _allocate(client_as, manager, round_, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    # 25 hours before the deadline: nothing yet
    assert reminders.send_offer_reminders(offer.expires_at - timedelta(hours=25)) == 0
    # 23 hours before: one e-mail and one SMS, and the same run again stores nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_offer_reminders(offer.expires_at - timedelta(hours=23)) == 2
        assert reminders.send_offer_reminders(offer.expires_at - timedelta(hours=1)) == 0
    assert [m.subject for m in mail.outbox] == ["Tawaran kios K-01 untuk Anda berakhir 24 jam lagi"]
    assert Notification.objects.filter(template="offer_expiring").count() == 2
    # a decided offer is not reminded
    services.offer_decline(offer=offer, user=vendor.user)
    Notification.objects.filter(template="offer_expiring").delete()
    assert reminders.send_offer_reminders(offer.expires_at - timedelta(hours=23)) == 0


def test_lease_reminders_on_its_start_and_30_days_before_its_end(
    client_as, manager, outlet, django_capture_on_commit_callbacks
):
    vendor = _vendor_with_mail()
    round_ = make_round(manager, [outlet], status="open", lease_months=12)
    apply(vendor, round_, (outlet, "kiosk"))
    offer = _allocate(client_as, manager, round_, django_capture_on_commit_callbacks)
    services.offer_accept(offer=offer, user=vendor.user)
    lease = Lease.objects.get()
    assert lease.monthly_fee == Decimal("250000.00")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_lease_reminders(lease.start_date) == 2
        assert reminders.send_lease_reminders(lease.start_date) == 0
        assert reminders.send_lease_reminders(lease.end_date - timedelta(days=31)) == 0
        assert reminders.send_lease_reminders(lease.end_date - timedelta(days=30)) == 2
        assert reminders.send_lease_reminders(lease.end_date - timedelta(days=1)) == 0
    start, end = lease.start_date.strftime("%d-%m-%Y"), lease.end_date.strftime("%d-%m-%Y")
    assert [m.subject for m in mail.outbox] == [
        "Sewa kios K-01 Anda mulai hari ini",
        f"Sewa kios K-01 Anda berakhir pada {end}",
    ]
    assert f"mulai hari ini, {start}, dan berlaku sampai {end}" in mail.outbox[0].body
    assert "Rp 250.000" in mail.outbox[0].body
