"""The allocation counts only verified membership, and the round's claims say which were
verified and by what evidence (a cohort list, or a check by hand)."""

from __future__ import annotations

import pytest

from outlets import services as outlet_services
from outlets.models import Application
from programme import services
from programme.selectors import claim_evidence
from tests.outlets.helpers import apply, make_outlet, make_round, make_vendor, verify
from tests.programme.helpers import cohort_csv, cohort_niks, row

pytestmark = pytest.mark.django_db


def test_only_verified_members_rank_first_and_the_evidence_is_named(make_asset, make_user):
    # given: two kiosks, three WUB claimants: one on the agency's list, one checked by hand,
    # one who only ticked the box
    staff, manager = make_user("programme_staff"), make_user("outlet_manager")
    listed_nik = cohort_niks(30_000, 1)[0]
    listed = make_vendor(nik=listed_nik)  # did not even tick the box: the list makes her one
    by_hand = make_vendor(wub=True)
    declared = make_vendor(wub=True)
    verify(by_hand, manager, "wub_participant")
    report = services.cohort_list_import(
        data=cohort_csv([row(listed_nik)]), file_name="wub.csv", user=staff
    )
    assert report["verified"] == 1
    outlet = make_outlet(make_asset, manager, stalls=(("K-01", "kiosk"), ("K-02", "kiosk")))
    round_ = make_round(manager, [outlet], status="open")
    for vendor in (declared, listed, by_hand):
        apply(vendor, round_, (outlet, "kiosk"))

    # when
    outlet_services.round_close(round_=round_, user=manager)
    outlet_services.round_allocate(round_=round_, user=manager)

    # then: the unverified claim counted as not made, whatever the lottery said
    status = dict(Application.objects.values_list("vendor_id", "status"))
    assert status == {declared.pk: "unassigned", listed.pk: "assigned", by_hand.pk: "assigned"}
    claims = dict(Application.objects.values_list("vendor_id", "claims"))
    assert claims[declared.pk]["wub_participant"] == {"claimed": True, "verified": False}
    assert claims[listed.pk]["wub_participant"] == {"claimed": True, "verified": True}
    evidence = claim_evidence([declared.pk, listed.pk, by_hand.pk])
    assert declared.pk not in evidence
    assert evidence[by_hand.pk]["wub_participant"]["evidence"] == "manual"
    cohort = evidence[listed.pk]["wub_participant"]
    assert (cohort["evidence"], cohort["cohort_list"], cohort["year"]) == (
        "cohort_list",
        report["cohort_list"],
        2023,
    )
