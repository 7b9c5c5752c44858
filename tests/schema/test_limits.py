"""Query limits: refused before anything runs, with a code and the limit in the message."""

import pytest

from nexus_graphql.documents import documents
from tests.factories import ChallengeFactory


@pytest.fixture
def fresh_documents():
    """Validated documents are cached per process; settings changes need a clean cache."""
    documents.clear()
    yield
    documents.clear()


def codes(payload):
    return [e.get("extensions", {}).get("code") for e in payload["errors"]]


def deep_challenges(hops: int, leaf: str = "title") -> str:
    """challenges -> (solutions -> challenge) x hops -> leaf: 2 + 2 * hops levels deep.

    Depth counts levels of objects; a connection's edges/node add none.
    """
    inner = leaf
    for _ in range(hops):
        inner = f"solutions(first: 1) {{ edges {{ node {{ challenge {{ {inner} }} }} }} }}"
    return f"challenges(first: 1) {{ edges {{ node {{ {inner} }} }} }}"


def test_a_query_deeper_than_the_limit_is_refused(gql, django_assert_num_queries):
    with django_assert_num_queries(0):
        payload = gql.query(f"{{ {deep_challenges(5)} }}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_DEEP"]
    assert payload["errors"][0]["message"] == "Query depth 12 exceeds the limit of 10."


def test_a_query_at_the_depth_limit_runs(gql):
    ChallengeFactory()

    assert gql.query(f"{{ {deep_challenges(4)} }}")["challenges"]["edges"]


def test_depth_through_fragments_counts_too(gql):
    query = f"""
    query {{ ...Deep }}
    fragment Deep on Query {{ {deep_challenges(5)} }}
    """
    payload = gql.query(query, expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_DEEP"]


def test_a_query_that_could_return_too_many_nodes_is_refused(gql, settings):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_cost": 1_000}
    query = """{ challenges(first: 100) { edges { node {
        solutions(first: 20) { edges { node { id } } } } } } }"""

    payload = gql.query(query, expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "2100 nodes" in payload["errors"][0]["message"]
    assert "limit is 1000" in payload["errors"][0]["message"]


def test_cost_reads_page_sizes_from_variables(gql, settings):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_cost": 1_000}
    query = """query($n: Int) { challenges(first: $n) { edges { node {
        solutions(first: $n) { edges { node { id } } } } } } }"""

    assert gql.query(query, {"n": 5})["challenges"] == {"edges": []}
    assert codes(gql.query(query, {"n": 50}, expect_errors=True)) == ["QUERY_TOO_COMPLEX"]


def test_too_many_aliases_are_refused(gql):
    aliases = " ".join(f"a{n}: hubStats {{ challenges }}" for n in range(31))

    payload = gql.query(f"{{ {aliases} }}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "31 aliases" in payload["errors"][0]["message"]


def test_too_many_fields_are_refused(gql, settings):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_fields": 20}
    fields = " ".join(["technologies learnings projects challenges solutions contributors"] * 4)

    payload = gql.query(f"{{ hubStats {{ {fields} }} }}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]


def test_fragment_cycles_and_unknown_fragments_are_clean_validation_errors(gql, fresh_documents):
    cycle = """
    { challenges(first: 1) { ...A } }
    fragment A on ChallengeConnection { edges { node { ...B } } }
    fragment B on Challenge { solutions(first: 1) { ...A } }
    """
    unknown = "{ challenges(first: 1) { ...Nowhere } }"

    for query in (cycle, unknown):
        response = gql.post(query, headers={"Accept": "application/graphql-response+json"})
        assert response.status_code == 400
        assert set(codes(response.json())) == {"GRAPHQL_VALIDATION_FAILED"}


def test_standard_validation_still_applies(gql, fresh_documents):
    payload = gql.query("{ challenges { edges { node { noSuchField } } } }", expect_errors=True)

    assert "noSuchField" in payload["errors"][0]["message"]


def test_field_suggestions_are_hidden_when_debug_is_off(gql, settings, fresh_documents):
    settings.DEBUG = False

    payload = gql.query('{ challenge(slug: "x") { titel } }', expect_errors=True)

    assert "Did you mean" not in payload["errors"][0]["message"]


def test_introspection_is_on_and_can_be_switched_off(gql, settings, fresh_documents):
    query = "{ __schema { queryType { name } } }"
    assert gql.query(query)["__schema"]["queryType"]["name"] == "Query"

    settings.GRAPHQL_INTROSPECTION = False
    documents.clear()

    payload = gql.query(query, expect_errors=True)
    assert "introspection" in payload["errors"][0]["message"].lower()
    # __typename is not introspection: clients add it everywhere.
    assert gql.query("{ __typename }") == {"__typename": "Query"}


def test_an_oversized_body_is_refused_with_413(gql, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 1_000

    response = gql.post("{ hubStats { challenges } }" + " " * 2_000)

    assert response.status_code == 413
    assert codes(response.json()) == ["BODY_TOO_LARGE"]


def test_introspection_fields_count_toward_aliases(gql, fresh_documents):
    aliases = " ".join(f"t{n}: __typename" for n in range(31))

    payload = gql.query(f"{{ {aliases} }}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "31 aliases" in payload["errors"][0]["message"]


def test_introspection_fields_count_toward_fields(gql, settings, fresh_documents):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_fields": 5}

    payload = gql.query(
        '{ __type(name: "Query") { name kind description fields { name } } }', expect_errors=True
    )

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "selects 6 fields" in payload["errors"][0]["message"]


def test_introspection_costs_what_it_returns(gql, settings, fresh_documents):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_cost": 50}
    types = len(documents.schema.type_map)

    payload = gql.query("{ __schema { types { name } } }", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert f"could return {types} nodes" in payload["errors"][0]["message"]


def test_aliased_introspections_are_refused_by_cost(gql, fresh_documents):
    """The 34 MB introspection answer: many aliased copies of the schema's types and fields."""
    copy = "__schema { types { fields { args { type { name } } } } }"
    copies = " ".join(f"s{n}: {copy}" for n in range(25))

    payload = gql.query(f"{{ {copies} }}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "nodes" in payload["errors"][0]["message"]


def test_the_same_field_many_times_in_one_selection_is_refused_before_validation(
    gql, fresh_documents, django_assert_num_queries
):
    with django_assert_num_queries(0):
        payload = gql.query("{ " + "__typename " * 21 + "}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "same field 21 times" in payload["errors"][0]["message"]


def test_too_many_fragments_in_one_selection_are_refused(gql, settings, fresh_documents):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_aliases": 100}
    fragments = "\n".join(f"fragment F{n} on Query {{ f{n}: __typename }}" for n in range(31))
    spreads = " ".join(f"...F{n}" for n in range(31))

    payload = gql.query(f"{{ {spreads} }}\n{fragments}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "spreads 31 fragments" in payload["errors"][0]["message"]


def test_every_operation_of_a_document_is_within_the_limits(gql, fresh_documents):
    """Validation reads all of them, so an unused one cannot smuggle in a heavy shape."""
    heavy = "query Heavy { " + "__typename " * 25 + "}"

    payload = gql.query(
        "query Light { __typename }\n" + heavy, operation_name="Light", expect_errors=True
    )

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]


def test_a_document_over_the_token_limit_is_refused_by_the_parser(gql, settings, fresh_documents):
    settings.GRAPHQL_MAX_TOKENS = 50

    payload = gql.query("{ " + "hubStats { challenges } " * 20 + "}", expect_errors=True)

    assert codes(payload) == ["QUERY_TOO_COMPLEX"]
    assert "more than 50 tokens" in payload["errors"][0]["message"]
