"""Generated operations against the whole schema: thousands, and never a 500.

hypothesis-graphql builds queries and mutations from the live schema: valid
ones (every field, argument and input type, with arbitrary values) and ones
with a single schema violation; raw bodies of arbitrary JSON are thrown at the
endpoint too. Whatever comes in, the answer is a 4xx or a GraphQL response,
and no resolver fails unexpectedly (an INTERNAL_ERROR here is a bug to fix).
The runs are derandomized: CI sees the same examples every time.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, mutations, queries

from schema.schema import schema
from tests.conftest import GRAPHQL_URL, GraphQLClient
from tests.factories import ChallengeFactory, LearningFactory, SolutionFactory

SCHEMA = schema.graphql_schema
ROOT_MUTATIONS = list(SCHEMA.mutation_type.fields)


def fuzz(max_examples: int):
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture
def hub_data(db, settings):
    """Something for resolvers to walk; rate limits off (this is one very busy caller)."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "enabled": False}
    challenge = ChallengeFactory()
    SolutionFactory(challenge=challenge)
    LearningFactory()


@pytest.fixture
def member(hub_data, contributor):
    return GraphQLClient().login(contributor)


def assert_answered_cleanly(response, query):
    assert response.status_code < 500, (response.status_code, query)
    payload = response.json()
    assert "data" in payload or payload.get("errors"), (payload, query)
    for error in payload.get("errors") or []:
        assert error.get("extensions", {}).get("code") != "INTERNAL_ERROR", (error, query)


@fuzz(max_examples=800)
@given(query=queries(SCHEMA))
def test_generated_queries(hub_data, query):
    client = GraphQLClient()
    assert_answered_cleanly(client.post(query), query)


@fuzz(max_examples=400)
@given(query=mutations(SCHEMA, fields=ROOT_MUTATIONS))
def test_generated_mutations_of_a_signed_in_contributor(member, query):
    assert_answered_cleanly(member.post(query), query)


@fuzz(max_examples=300)
@given(query=from_schema(SCHEMA, mode=Mode.NEGATIVE))
def test_generated_operations_that_break_the_schema(hub_data, query):
    response = GraphQLClient().post(query)

    assert_answered_cleanly(response, query)
    assert response.json().get("errors"), query


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
bodies = st.one_of(
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {},
        optional={
            "query": st.one_of(st.text(), json_values),
            "variables": json_values,
            "operationName": json_values,
        },
    ).map(json.dumps),
    st.binary(max_size=200),
)


@fuzz(max_examples=500)
@given(body=bodies, content_type=st.sampled_from(["application/json", "application/graphql"]))
def test_arbitrary_bodies(hub_data, body, content_type):
    response = GraphQLClient().http.post(GRAPHQL_URL, body, content_type=content_type)

    assert_answered_cleanly(response, body)
