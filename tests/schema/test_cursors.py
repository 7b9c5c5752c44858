"""Cursors are opaque and checked: an altered, forged or foreign one is BAD_USER_INPUT.

Generated: every single-bit flip of a real cursor's text, random strings, the cursors of
other connections and of other orderings of the same connection.
"""

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory, TechnologyFactory
from tests.schema.helpers import day, pluck

CHALLENGES = """
query($order: ChallengeOrder, $first: Int, $after: String, $last: Int, $before: String) {
  challenges(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { title } }
  }
}
"""
TECHNOLOGIES = """
query($after: String, $before: String) {
  technologies(first: 2, after: $after, before: $before) { edges { cursor node { name } } }
}
"""
SOLUTIONS = """
query($after: String) {
  challenge(slug: "popular") { solutions(first: 2, after: $after) { edges { cursor } } }
}
"""


@pytest.fixture
def hub(db):
    author = ContributorFactory()
    for n in range(1, 6):
        ChallengeFactory(title=f"Challenge {n}", created_at=day(n), author=author)
        TechnologyFactory(name=f"Tech {n}")
    popular = ChallengeFactory(title="Popular", created_at=day(9), author=author)
    for score in range(3):
        SolutionFactory(challenge=popular, score=score, author=author)


def _cursor(gql, query=CHALLENGES, **variables):
    data = gql.query(query, {"first": 2, **variables} if query is CHALLENGES else variables)
    return next(iter(data.values()))["edges"][-1]["cursor"]


def _refused(gql, query, variables, message_part=""):
    payload = gql.query(query, variables, expect_errors=True)
    [error] = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert message_part in error["message"]
    return error


def test_a_cursor_pages_on_from_its_row(gql, hub):
    cursor = _cursor(gql, order="OLDEST")

    page = gql.query(CHALLENGES, {"order": "OLDEST", "first": 2, "after": cursor})["challenges"]

    assert pluck(page) == ["Challenge 3", "Challenge 4"]
    assert page["pageInfo"]["hasPreviousPage"] is True  # both ways, unlike Relay's legacy rule
    assert page["pageInfo"]["hasNextPage"] is True


def test_paging_backwards_from_a_cursor(gql, hub):
    cursor = _cursor(gql, order="OLDEST")

    page = gql.query(CHALLENGES, {"order": "OLDEST", "last": 5, "before": cursor})["challenges"]

    assert pluck(page) == ["Challenge 1"]  # before the 2nd: the 1st
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["hasNextPage"] is True


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_every_bit_flip_of_a_cursor_is_refused(gql, hub, data):
    cursor = _cursor(gql, order="NEWEST")
    position = data.draw(st.integers(0, len(cursor) - 1))
    bit = data.draw(st.integers(0, 6))
    flipped = chr(ord(cursor[position]) ^ (1 << bit))
    forged = cursor[:position] + flipped + cursor[position + 1 :]

    _refused(gql, CHALLENGES, {"order": "NEWEST", "first": 2, "after": forged})


@settings(max_examples=40, deadline=None, database=None)
@given(text=st.text(max_size=300))
def test_random_text_is_refused_as_a_cursor(text):
    from tests.conftest import GraphQLClient

    # No database needed: the cursor is refused before the list is read.
    response = GraphQLClient().post(TECHNOLOGIES, {"after": text})
    payload = response.json()
    assert response.status_code == 200
    [error] = payload["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_forged_cursor_with_a_well_formed_body_is_refused(gql, hub):
    body = json.dumps({"v": 1, "c": "Query.challenges", "o": "NEWEST", "p": ["x", 1]}).encode()
    forged = base64.urlsafe_b64encode(b"\0" * 12 + body).rstrip(b"=").decode()

    _refused(gql, CHALLENGES, {"order": "NEWEST", "first": 2, "after": forged}, "forged")


def test_a_cursor_of_another_connection_is_refused(gql, hub):
    technology_cursor = _cursor(gql, TECHNOLOGIES)
    solution_cursor = gql.query(SOLUTIONS)["challenge"]["solutions"]["edges"][0]["cursor"]

    error = _refused(gql, CHALLENGES, {"first": 2, "after": technology_cursor}, "another list")
    assert "Query.technologies" in error["message"]
    _refused(gql, TECHNOLOGIES, {"after": solution_cursor}, "another list")
    _refused(gql, SOLUTIONS, {"after": technology_cursor}, "another list")


@pytest.mark.parametrize("argument", ["after", "before"])
@pytest.mark.parametrize(
    "written_with, used_with",
    [
        ("NEWEST", "OLDEST"),
        ("OLDEST", "TITLE"),
        ("TITLE", "MOST_SOLUTIONS"),
        ("MOST_SOLUTIONS", "NEWEST"),
    ],
)
def test_a_cursor_of_another_ordering_is_refused(gql, hub, argument, written_with, used_with):
    cursor = _cursor(gql, order=written_with)
    page = {"first": 2} if argument == "after" else {"last": 2}

    _refused(
        gql,
        CHALLENGES,
        {"order": used_with, argument: cursor, **page},
        "another ordering",
    )


def test_the_old_offset_cursors_are_refused(gql, hub):
    old = base64.b64encode(b"arrayconnection:1").decode()

    _refused(gql, CHALLENGES, {"first": 2, "after": old})


def test_a_refused_cursor_reads_nothing(gql, hub, django_assert_num_queries):
    with django_assert_num_queries(0):
        _refused(gql, TECHNOLOGIES, {"after": "not a cursor"})
