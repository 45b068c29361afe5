"""`run_daily` sends again the notifications that failed before it ran."""

import pytest

from notifications.models import GatewayMessage, Notification
from outlets.nik import city_today
from tests.operations.helpers import run_daily

pytestmark = pytest.mark.django_db


def test_run_daily_sends_again_a_notification_that_failed(make_user):
    # given: an SMS whose first attempt failed (the gateway was down)
    user = make_user("vendor")
    failed = Notification.objects.create(
        recipient=user,
        channel="sms",
        address="081234567890",
        template="offer_made",
        context={
            "stall": "K-01",
            "outlet": "Gerai (synthetic)",
            "round": "Putaran (synthetic)",
            "deadline": "2026-12-10",
            "link": "/vendor/",
        },  # fmt: skip
        state="failed",
        attempts=1,
        last_error="ConnectionError: gateway down",
    )
    # when: the day runs with the gateway back
    out = run_daily(city_today())
    # then: it was sent once, on its second attempt, and the command says so
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == ("sent", 2, "")
    assert list(GatewayMessage.objects.values_list("to", flat=True)) == ["081234567890"]
    assert out.strip().endswith("1 of 1 failed notification(s) sent again")
    # and a second run sends nothing again
    assert run_daily(city_today()).strip().endswith("0 of 0 failed notification(s) sent again")
    assert GatewayMessage.objects.count() == 1
