"""Every request within a budget: a deadline, a response size, a statement timeout.

Each refusal is a clean GraphQL error with `extensions.code`, never an HTTP 500
and never a worker killed by gunicorn's timeout.
"""

import json
import time

import pytest
from django.db import connection

from hub import selectors
from nexus_graphql import response_cache
from tests.conftest import GRAPHQL_URL
from tests.factories import ChallengeFactory, SolutionFactory
from tests.schema.helpers import error_codes

CHALLENGES_WITH_COUNTS = "{ challenges(first: 20) { edges { node { title solutionCount } } } }"


@pytest.fixture
def challenges(db):
    return ChallengeFactory.create_batch(12)


def test_an_execution_past_its_deadline_stops_with_timeout(gql, challenges, settings, monkeypatch):
    settings.GRAPHQL_EXECUTION_SECONDS = 0.05
    counted, calls = selectors.count_published_solutions, []

    def slow_count(*, challenge):
        calls.append(challenge)
        time.sleep(0.02)
        return counted(challenge=challenge)

    monkeypatch.setattr(selectors, "count_published_solutions", slow_count)

    response = gql.post(CHALLENGES_WITH_COUNTS)

    assert response.status_code == 200
    payload = response.json()
    assert error_codes(payload) == ["TIMEOUT"]
    assert payload["data"] is None
    assert "budget of 0.05 s" in payload["errors"][0]["message"]
    # Stopped at the next object after the deadline, not after all twelve.
    assert len(calls) <= 4


def test_within_the_deadline_the_same_query_answers(gql, challenges, settings):
    settings.GRAPHQL_EXECUTION_SECONDS = 10

    data = gql.query(CHALLENGES_WITH_COUNTS)

    assert len(data["challenges"]["edges"]) == 12


def test_a_response_with_too_many_fields_stops_early(gql, challenges, settings):
    settings.GRAPHQL_MAX_RESPONSE_FIELDS = 30

    payload = gql.query(CHALLENGES_WITH_COUNTS, expect_errors=True)

    assert error_codes(payload) == ["RESPONSE_TOO_LARGE"]
    assert payload["data"] is None


def test_a_response_over_the_byte_cap_is_refused(gql, challenges, settings):
    settings.GRAPHQL_MAX_RESPONSE_BYTES = 500

    payload = gql.query(CHALLENGES_WITH_COUNTS, expect_errors=True)

    assert error_codes(payload) == ["RESPONSE_TOO_LARGE"]
    assert "500 bytes" in payload["errors"][0]["message"]


def test_the_full_introspection_answer_fits_the_caps(gql):
    from graphql import get_introspection_query

    response = gql.post(get_introspection_query(descriptions=True))

    assert response.status_code == 200
    assert "errors" not in response.json()


@pytest.mark.django_db(transaction=True)
def test_responses_over_the_cache_cap_are_served_but_not_stored(settings):
    from django.test import Client

    settings.GRAPHQL_RESPONSE_CACHE = True
    ChallengeFactory.create_batch(5)
    query = json.dumps({"query": CHALLENGES_WITH_COUNTS})
    client = Client()

    settings.GRAPHQL_RESPONSE_CACHE_MAX_BODY_BYTES = 50
    first = client.post(GRAPHQL_URL, query, content_type="application/json")
    assert first.status_code == 200
    assert len(response_cache.local_bodies._bodies) == 0

    settings.GRAPHQL_RESPONSE_CACHE_MAX_BODY_BYTES = 1_000_000
    client.post(GRAPHQL_URL, query, content_type="application/json")
    assert len(response_cache.local_bodies._bodies) == 1


def test_a_resolver_value_error_is_masked_not_reported_as_bad_input(gql, db, monkeypatch):
    def broken():
        raise ValueError("secret internals: invalid literal for int()")

    monkeypatch.setattr(selectors, "get_hub_stats", broken)

    payload = gql.query("{ hubStats { projects } }", expect_errors=True)

    assert error_codes(payload) == ["INTERNAL_ERROR"]
    assert "secret" not in json.dumps(payload)
    assert payload["errors"][0]["extensions"]["errorId"]


def test_an_assertion_in_a_resolver_is_masked_too(gql, db, monkeypatch):
    def broken():
        raise AssertionError("internal invariant")

    monkeypatch.setattr(selectors, "get_hub_stats", broken)

    payload = gql.query("{ hubStats { projects } }", expect_errors=True)

    assert error_codes(payload) == ["INTERNAL_ERROR"]


def test_an_id_that_cannot_be_decoded_is_invalid(gql, db):
    payload = gql.query('{ node(id: "not base64 at all!") { id } }', expect_errors=True)

    assert error_codes(payload) == ["INVALID"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_every_connection_carries_the_statement_timeout(db, settings):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        (value,) = cursor.fetchone()

    assert int(value) == settings.DATABASE_STATEMENT_TIMEOUT_MS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_statement_past_the_timeout_answers_timeout(monkeypatch):
    from django.test import Client

    ChallengeFactory(title="Slow")

    def slow_stats():
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 50")
            try:
                cursor.execute("SELECT pg_sleep(1)")
            finally:
                cursor.execute("RESET statement_timeout")

    monkeypatch.setattr(selectors, "get_hub_stats", slow_stats)
    body = json.dumps({"query": "{ hubStats { projects } }"})

    response = Client().post(GRAPHQL_URL, body, content_type="application/json")

    assert response.status_code == 200
    assert error_codes(response.json()) == ["TIMEOUT"]


def test_solutions_are_budgeted_like_everything_else(gql, db, settings):
    challenge = ChallengeFactory(title="Counted")
    SolutionFactory.create_batch(5, challenge=challenge)
    settings.GRAPHQL_MAX_RESPONSE_FIELDS = 8
    query = '{ challenge(slug: "counted") { solutions { edges { node { body score } } } } }'

    payload = gql.query(query, expect_errors=True)

    assert error_codes(payload) == ["RESPONSE_TOO_LARGE"]
