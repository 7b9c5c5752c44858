"""Relay paging: first/after forwards, last/before backwards, every item exactly once."""

import pytest

from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory, TechnologyFactory
from tests.schema.helpers import day, error_codes, pluck

TECHNOLOGY_PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  technologies(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name } }
  }
}
"""

CHALLENGE_PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  challenges(orderBy: NEWEST, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { title } }
  }
}
"""


def page_forward(client, query, field, size):
    """Every page from the start with first/after; returns (items, pages)."""
    items, pages, after = [], [], None
    while True:
        connection = client.query(query, {"first": size, "after": after})[field]
        page = [edge["node"] for edge in connection["edges"]]
        pages.append(page)
        items += page
        info = connection["pageInfo"]
        if not info["hasNextPage"]:
            return items, pages
        assert info["endCursor"] == connection["edges"][-1]["cursor"]
        after = info["endCursor"]


def page_backward(client, query, field, size):
    """Every page from the end with last/before; returns (items, pages) in list order."""
    items, pages, before = [], [], None
    while True:
        connection = client.query(query, {"last": size, "before": before})[field]
        page = [edge["node"] for edge in connection["edges"]]
        pages.append(page)
        items = page + items
        info = connection["pageInfo"]
        if not info["hasPreviousPage"]:
            return items, pages
        assert info["startCursor"] == connection["edges"][0]["cursor"]
        before = info["startCursor"]


@pytest.fixture
def technologies(db):
    names = [f"Tech {n:02d}" for n in range(1, 24)]
    for name in reversed(names):
        TechnologyFactory(name=name)
    return names


def test_paging_forward_returns_every_item_once_in_order(gql, technologies):
    items, pages = page_forward(gql, TECHNOLOGY_PAGE, "technologies", 5)

    assert [item["name"] for item in items] == technologies
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]


def test_paging_backward_returns_every_item_once_in_order(gql, technologies):
    items, pages = page_backward(gql, TECHNOLOGY_PAGE, "technologies", 5)

    assert [item["name"] for item in items] == technologies
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]


def test_page_info_and_total_count(gql, technologies):
    first = gql.query(TECHNOLOGY_PAGE, {"first": 5})["technologies"]
    last = gql.query(TECHNOLOGY_PAGE, {"last": 5})["technologies"]

    assert first["totalCount"] == last["totalCount"] == 23
    assert pluck(first, "name") == technologies[:5]
    assert first["pageInfo"]["hasNextPage"] is True
    assert pluck(last, "name") == technologies[-5:]
    assert last["pageInfo"]["hasPreviousPage"] is True


def test_items_with_equal_sort_keys_are_still_paged_exactly_once(gql):
    # One timestamp for all: NEWEST falls back to the id to keep pages apart.
    author = ContributorFactory()
    for n in range(1, 24):
        ChallengeFactory(title=f"Challenge {n:02d}", created_at=day(1), author=author)
    expected = [f"Challenge {n:02d}" for n in range(23, 0, -1)]

    forward, _ = page_forward(gql, CHALLENGE_PAGE, "challenges", 5)
    backward, _ = page_backward(gql, CHALLENGE_PAGE, "challenges", 5)

    assert [item["title"] for item in forward] == expected
    assert [item["title"] for item in backward] == expected


def test_paging_a_nested_connection(gql):
    challenge = ChallengeFactory(title="Popular")
    author = ContributorFactory()
    for score in range(12):
        SolutionFactory(challenge=challenge, score=score, body=f"score {score}", author=author)
    query = """
    query Solutions($first: Int, $after: String) {
      challenge(slug: "popular") {
        solutions(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { node { body } }
        }
      }
    }
    """
    bodies, after = [], None
    while True:
        solutions = gql.query(query, {"first": 5, "after": after})["challenge"]["solutions"]
        assert solutions["totalCount"] == 12
        bodies += pluck(solutions, "body")
        if not solutions["pageInfo"]["hasNextPage"]:
            break
        after = solutions["pageInfo"]["endCursor"]

    assert bodies == [f"score {score}" for score in range(11, -1, -1)]


def test_a_cursor_past_the_end_gives_an_empty_page(gql, technologies):
    end = gql.query(TECHNOLOGY_PAGE, {"last": 1})["technologies"]["pageInfo"]["endCursor"]

    page = gql.query(TECHNOLOGY_PAGE, {"first": 5, "after": end})["technologies"]

    assert page["edges"] == []
    assert page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("argument", ["first", "last"])
def test_more_than_100_items_per_page_is_rejected(gql, argument):
    payload = gql.query(TECHNOLOGY_PAGE, {argument: 101}, expect_errors=True)

    [error] = payload["errors"]
    assert "100" in error["message"]
    assert f"`{argument}` limit" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert payload["data"] == {"technologies": None}


def test_100_items_per_page_is_allowed(gql, technologies):
    page = gql.query(TECHNOLOGY_PAGE, {"first": 100})["technologies"]

    assert len(page["edges"]) == 23


def test_the_limit_applies_to_nested_connections_too(gql):
    ChallengeFactory(title="Any")

    payload = gql.query(
        '{ challenge(slug: "any") { solutions(first: 500) { totalCount } } }',
        expect_errors=True,
    )

    assert "100" in payload["errors"][0]["message"]


@pytest.mark.parametrize("argument", ["first", "last"])
def test_a_negative_page_size_is_a_client_error(gql, argument):
    response = gql.post(TECHNOLOGY_PAGE, {argument: -1})

    assert response.status_code < 500
    payload = response.json()
    assert error_codes(payload) == ["BAD_USER_INPUT"]
    assert "non-negative" in payload["errors"][0]["message"]
