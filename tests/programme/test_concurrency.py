"""PostgreSQL: imports running side by side. The same file sent by eight threads at once is
imported once (the others answer already imported); two lists sharing people never make a person
a member twice (one import wins, the other is a 409 or finds them members already)."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.errors import Conflict
from outlets.models import ClaimVerification
from programme.models import CohortList, CohortMember
from programme.services import cohort_list_import, cohorts
from tests.outlets.test_concurrency import race
from tests.programme.helpers import bulk_vendors, cohort_csv, cohort_niks, row

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_same_file_from_eight_threads_is_imported_once(make_user):
    staff = make_user("programme_staff")
    niks = cohort_niks(50_000, 40)
    bulk_vendors(niks[:20])
    data = cohort_csv([row(n) for n in niks])

    reports = race(8, lambda i: cohort_list_import(data=data, file_name="l.csv", user=staff))

    assert sorted(r["already_imported"] for r in reports) == [False] + [True] * 7
    assert CohortList.objects.count() == 1
    assert CohortMember.objects.count() == 40
    assert ClaimVerification.objects.count() == 20


def test_two_lists_sharing_people_make_each_a_member_once(make_user):
    staff = make_user("programme_staff")
    niks = cohort_niks(51_000, 30)
    bulk_vendors(niks)
    files = [cohort_csv([row(n, batch=f"B{i}") for n in niks]) for i in range(2)]

    def attempt(i):
        with translation.override("en"):  # a thread starts in the default language
            try:
                return cohort_list_import(data=files[i], file_name=f"{i}.csv", user=staff)
            except Conflict as exc:
                return str(exc)

    results = race(2, attempt)

    assert CohortMember.objects.count() == 30
    assert ClaimVerification.objects.filter(revoked_at=None).count() == 30
    created = [r for r in results if isinstance(r, dict) and r["created"] == 30]
    assert len(created) == 1
    other = next(r for r in results if r is not created[0])
    if isinstance(other, str):
        assert other == str(cohorts.IMPORT_RACED)
    else:
        assert (other["created"], other["unchanged"]) == (0, 30)
