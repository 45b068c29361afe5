"""`limit`/`offset` paging: the count, links and page are exact whether or not a COUNT query is
needed (a page shorter than the limit tells the count itself). 11 kecamatan are the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db
URL = "/api/v1/districts/?level=kecamatan"


def _count_queries(queries) -> int:
    return sum("COUNT(" in q["sql"] for q in queries)


@pytest.mark.parametrize(
    ("query", "returned", "has_next", "has_previous", "counted"),
    [
        ("", 11, False, False, False),  # short first page: the page is the count
        ("&limit=5", 5, True, False, True),  # a full page: more may follow
        ("&limit=11", 11, False, False, True),  # full, and nothing follows
        ("&limit=5&offset=5", 5, True, True, True),
        ("&limit=5&offset=10", 1, False, True, False),  # short last page
        ("&limit=5&offset=11", 0, False, True, True),  # just past the end
        ("&offset=50", 0, False, True, True),  # far past it
    ],
)
def test_count_and_links_with_and_without_a_count_query(
    client_as, query, returned, has_next, has_previous, counted
):
    client = client_as("planner")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(URL + query).json()
    assert body["count"] == 11
    assert len(body["results"]) == returned
    assert (body["next"] is not None) == has_next
    assert (body["previous"] is not None) == has_previous
    assert _count_queries(ctx.captured_queries) == (1 if counted else 0)


def test_an_empty_list_counts_zero_without_a_count_query(client_as):
    client = client_as("planner")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(URL + "&parent=32.76.06")  # a kecamatan's parent is the city
    assert body.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert _count_queries(ctx.captured_queries) == 0


def test_pages_join_up_to_the_whole_list(client_as):
    client = client_as("planner")
    whole = [d["code"] for d in client.get(URL).json()["results"]]
    paged = []
    url = URL + "&limit=3"
    while url:
        body = client.get(url).json()
        assert body["count"] == 11
        paged += [d["code"] for d in body["results"]]
        url = body["next"]
    assert paged == whole
