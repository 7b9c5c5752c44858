"""Bounded work for any document shape: generated attacks at growing sizes.

Each family below builds a document (and variables) of about `size` bytes in a
shape that valid-operation fuzzing never produces: fragment chains that double,
wide fan-out, repeated fields and directives, aliases on the most expensive
root fields, deep inline fragments, deep argument values, large variables.
Every one is sent at sizes doubling up to the body limit, and the test asserts
what the README's "Security and limits" promises:
- no 5xx, and a refusal names the limit (`extensions.code`);
- server time per request stays under REQUEST_BOUND_SECONDS;
- server time grows at most linearly: from the smallest to the largest size,
  time per byte may not grow by more than LINEAR_SLACK (timings are the best of
  a few runs, with an allowance for a shared machine's noise).
The figures are printed to the CI log.
"""

import json
import sys
import time

import pytest

from nexus_graphql.documents import documents
from tests.conftest import GRAPHQL_URL
from tests.factories import ChallengeFactory, SolutionFactory

SIZES = (1_000, 4_000, 16_000, 64_000)
REQUEST_BOUND_SECONDS = 0.5
LINEAR_SLACK = 3.0
# Below this, a request's time is mostly fixed overhead and timer noise.
NOISE_FLOOR_SECONDS = 0.004
# Refusals that name their reason; anonymous callers of mutations are UNAUTHENTICATED.
REFUSALS = {
    "QUERY_TOO_COMPLEX",
    "QUERY_TOO_DEEP",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "BAD_REQUEST",
    "UNAUTHENTICATED",
    "TOO_LONG",
}


def _repeat_to(size: int, unit: str, sep: str = " ") -> int:
    return max(1, size // (len(unit) + len(sep)))


def doubling_fragment_chain(size):
    """F0 spreads F1 in two aliased fields, F1 spreads F2 twice, ...: 2^n fields as written."""
    unit = "fragment F{i} on __Type {{ a: ofType {{ ...F{j} }} b: ofType {{ ...F{j} }} }}\n"
    count = _repeat_to(size, unit.format(i=10, j=11))
    fragments = "".join(unit.format(i=i, j=i + 1) for i in range(count))
    fragments += f"fragment F{count} on __Type {{ name }}\n"
    return '{ __type(name: "Challenge") { ...F0 } }\n' + fragments, None


def doubling_spreads(size):
    """Each fragment spreads the next one twice in the same selection set."""
    unit = "fragment F{i} on Query {{ ...F{j} ...F{j} }}\n"
    count = _repeat_to(size, unit.format(i=10, j=11))
    fragments = "".join(unit.format(i=i, j=i + 1) for i in range(count))
    fragments += f"fragment F{count} on Query {{ __typename }}\n"
    return "{ ...F0 }\n" + fragments, None


def wide_fan_out(size):
    fields = "technologies learnings projects challenges solutions contributors"
    return "{ hubStats { " + " ".join([fields] * _repeat_to(size, fields)) + " } }", None


def repeated_typename(size):
    return "{ " + " ".join(["__typename"] * _repeat_to(size, "__typename")) + " }", None


def repeated_nested_field(size):
    """One response name many times, each with a sub-selection: validation compares pairs."""
    unit = "hubStats { challenges }"
    return "{ " + " ".join([unit] * _repeat_to(size, unit)) + " }", None


def many_fragments_in_one_set(size):
    """Many distinct fragments spread side by side: validation compares each pair."""
    unit = "fragment F{n} on Query {{ hubStats {{ challenges }} }}\n"
    count = _repeat_to(size, unit.format(n=100) + " ...F100")
    spreads = " ".join(f"...F{n}" for n in range(count))
    return "{ " + spreads + " }\n" + "".join(unit.format(n=n) for n in range(count)), None


def distinct_aliases(size):
    count = _repeat_to(size, "a00000: __typename")
    return "{ " + " ".join(f"a{n}: __typename" for n in range(count)) + " }", None


def repeated_directives(size):
    unit = "@include(if: true)"
    return "{ hubStats " + " ".join([unit] * _repeat_to(size, unit)) + " { challenges } }", None


def expensive_root_aliases(size):
    unit = (
        "a{n}: challenges(first: 100) {{ edges {{ node {{ solutions(first: 100) {{ edges {{ node "
        "{{ comments(first: 100) {{ edges {{ node {{ body }} }} }} }} }} }} }} }} }}"
    )
    count = _repeat_to(size, unit.format(n=100))
    return "{ " + " ".join(unit.format(n=n) for n in range(count)) + " }", None


def introspection_aliases(size):
    unit = "s{n}: __schema {{ types {{ fields {{ args {{ type {{ name }} }} }} }} }}"
    count = _repeat_to(size, unit.format(n=100))
    return "{ " + " ".join(unit.format(n=n) for n in range(count)) + " }", None


def deep_inline_fragments(size):
    count = _repeat_to(size, "... on Query { }", "")
    return "{ " + "... on Query { " * count + "__typename" + " }" * count + " }", None


def deep_selections(size):
    count = _repeat_to(size, '__type(name: "Query") { ofType { }', "")
    return '{ __type(name: "Query") { ' + "ofType { " * count + "name" + " }" * count + " } }", None


def deep_list_argument(size):
    count = _repeat_to(size, "[]", "")
    return (
        '{ search(query: "x", first: ' + "[" * count + "1" + "]" * count + ") { __typename } }",
        None,
    )


def large_string_variable(size):
    query = "query($q: String!) { search(query: $q, first: 5) { __typename } }"
    return query, {"q": "redis cache " * (size // 12)}


def large_input_variable(size):
    query = (
        "mutation($input: BulkSubmitChallengesInput!) "
        "{ bulkSubmitChallenges(input: $input) { errors { code } } }"
    )
    challenge = {"title": "t" * 50, "description": "d" * 100, "technologies": ["redis"] * 5}
    return query, {"input": {"challenges": [challenge] * max(1, size // 250)}}


def long_string_literal(size):
    return '{ search(query: "' + "redis " * (size // 6) + '", first: 5) { __typename } }', None


def many_operations(size):
    unit = "query Q{n} {{ hubStats {{ challenges }} }}"
    count = _repeat_to(size, unit.format(n=100))
    return " ".join(unit.format(n=n) for n in range(count)), None


FAMILIES = [
    doubling_fragment_chain,
    doubling_spreads,
    wide_fan_out,
    repeated_typename,
    repeated_nested_field,
    many_fragments_in_one_set,
    distinct_aliases,
    repeated_directives,
    expensive_root_aliases,
    introspection_aliases,
    deep_inline_fragments,
    deep_selections,
    deep_list_argument,
    large_string_variable,
    large_input_variable,
    long_string_literal,
    many_operations,
]


def _operation(query: str) -> dict:
    return {"operationName": "Q0"} if query.startswith("query Q0") else {}


def _server_seconds(http, body: str) -> tuple[float, object]:
    """Best of three: each run parses and validates afresh (the document cache is emptied)."""
    best, response = float("inf"), None
    for _ in range(3):
        documents.clear()
        started = time.process_time()
        response = http.post(GRAPHQL_URL, body, content_type="application/json")
        best = min(best, time.process_time() - started)
    return best, response


@pytest.fixture
def some_content(db):
    challenge = ChallengeFactory(title="Caching with Redis")
    SolutionFactory.create_batch(3, challenge=challenge)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_work_is_bounded_and_linear_in_the_document(client, some_content, family, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 100_000
    figures = []
    for size in SIZES:
        query, variables = family(size)
        body = json.dumps({"query": query, "variables": variables or {}, **_operation(query)})
        seconds, response = _server_seconds(client, body)
        assert response.status_code < 500, response.content[:300]
        payload = response.json()
        codes = {e.get("extensions", {}).get("code") for e in payload.get("errors", [])}
        assert codes <= REFUSALS, (family.__name__, size, payload["errors"][:2])
        assert seconds < REQUEST_BOUND_SECONDS, (family.__name__, size, seconds)
        figures.append((len(body), seconds, ",".join(sorted(codes)) or "answered"))

    with _ci_log() as log:
        for length, seconds, outcome in figures:
            log(f"  {family.__name__:<26} {length:>7} B  {seconds * 1000:7.2f} ms  {outcome}")
    (small_len, small_s, _), (big_len, big_s, _) = figures[0], figures[-1]
    per_byte_growth = (big_s / big_len) / (max(small_s, NOISE_FLOOR_SECONDS) / small_len)
    assert per_byte_growth <= LINEAR_SLACK, (family.__name__, figures)


class _ci_log:
    """Print past pytest's capture, so `.ci/run` shows the figures of passing tests."""

    def __enter__(self):
        return lambda line: print(line, file=sys.__stdout__, flush=True)

    def __exit__(self, *exc):
        return False
