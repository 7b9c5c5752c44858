"""Trusted-documents mode: only the manifest's operations run, and the limits still apply."""

import hashlib
import json
import os

import pytest
from django.core.cache import cache
from django.test import Client
from graphql import parse, print_ast

from nexus_graphql import persisted
from tests.conftest import GRAPHQL_URL

TRUSTED = "query Stats {\n  hubStats {\n    challenges\n  }\n}\n"
DEEP = print_ast(
    parse("query Deep { challenges(first: 1) { edges { node { project { title } } } } }")
)
UNTRUSTED = "query Other { hubStats { projects } }"
GRJ = "application/graphql-response+json"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(sha256: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


def post(body: dict, **headers):
    return Client().post(
        GRAPHQL_URL, json.dumps(body), content_type="application/json", headers=headers
    )


def codes(response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


@pytest.fixture
def trusted(db, settings, tmp_path):
    manifest = tmp_path / "trusted-documents.json"
    manifest.write_text(json.dumps({sha(TRUSTED): TRUSTED, sha(DEEP): DEEP}))
    settings.GRAPHQL_TRUSTED_DOCUMENTS = True
    settings.GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST = str(manifest)
    return manifest


def test_a_manifest_operation_runs_by_its_hash(trusted):
    response = post({"extensions": apq(sha(TRUSTED))})

    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}
    assert response["X-Persisted-Query"] == "HIT"


def test_a_manifest_operation_runs_by_its_text(trusted):
    assert post({"query": TRUSTED}).json() == {"data": {"hubStats": {"challenges": 0}}}


def test_the_same_document_printed_otherwise_with_typenames_runs(trusted):
    """What Apollo Client sends: its own printing, `__typename` in every selection set."""
    apollo = "query Stats { hubStats { challenges __typename } }"

    response = post({"query": apollo, "extensions": apq(sha(apollo))})

    assert response.json() == {"data": {"hubStats": {"challenges": 0, "__typename": "HubStats"}}}


@pytest.mark.parametrize("accept, status", [("application/json", 200), (GRJ, 400)])
def test_anything_else_is_refused_as_not_in_the_list(trusted, accept, status):
    response = post({"query": UNTRUSTED}, Accept=accept)

    assert response.status_code == status
    assert codes(response) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert "not among them" in response.json()["errors"][0]["message"]
    assert "data" not in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "query Stats { hubStats { challenges projects } }",  # one more field
        "query Stats { hubStats { c: challenges } }",  # an alias
        "query Stats { hubStats { challenges } } query X { me { id } }",  # one more operation
        "query Stats { hubStats { challenges  t: __typename } }",  # an aliased __typename
        "{ hubStats { challenges } }",  # the name is part of the document
        "query Stats { hubStats { challenges ",  # does not even parse
    ],
)
def test_a_document_close_to_a_trusted_one_is_refused(trusted, query):
    assert codes(post({"query": query})) == ["PERSISTED_QUERY_NOT_IN_LIST"]


def test_an_unknown_hash_asks_for_the_document_which_is_then_checked(trusted):
    miss = post({"extensions": apq(sha(UNTRUSTED))})
    sent = post({"query": UNTRUSTED, "extensions": apq(sha(UNTRUSTED))})

    assert codes(miss) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert codes(sent) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert cache.get("apq:" + sha(UNTRUSTED)) is None  # never stored


def test_a_document_stored_before_trusted_mode_does_not_run(trusted, settings):
    settings.GRAPHQL_TRUSTED_DOCUMENTS = False
    post({"query": UNTRUSTED, "extensions": apq(sha(UNTRUSTED))})
    settings.GRAPHQL_TRUSTED_DOCUMENTS = True

    response = post({"extensions": apq(sha(UNTRUSTED))})

    assert codes(response) == ["PERSISTED_QUERY_NOT_IN_LIST"]


def test_the_query_limits_still_apply(trusted, settings):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_depth": 1}

    response = post({"extensions": apq(sha(DEEP))})

    assert codes(response) == ["QUERY_TOO_DEEP"]


def test_the_cost_limit_still_applies(trusted, settings):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_cost": 0}

    response = post({"query": DEEP})

    assert codes(response) == ["QUERY_TOO_COMPLEX"]


def test_a_missing_manifest_trusts_nothing(trusted, settings, tmp_path):
    settings.GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST = str(tmp_path / "nowhere.json")

    assert codes(post({"query": TRUSTED})) == ["PERSISTED_QUERY_NOT_IN_LIST"]


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"0" * 64: TRUSTED}), json.dumps({sha("{"): "{"})]
)
def test_a_broken_manifest_trusts_nothing_and_never_fails_a_request(trusted, content):
    trusted.write_text(content)

    response = post({"query": TRUSTED})

    assert response.status_code == 200
    assert codes(response) == ["PERSISTED_QUERY_NOT_IN_LIST"]


def test_an_edited_manifest_is_read_again(trusted):
    assert codes(post({"query": UNTRUSTED})) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    entries = json.loads(trusted.read_text())
    trusted.write_text(json.dumps({**entries, sha(UNTRUSTED): UNTRUSTED}))
    stat = trusted.stat()
    # The file's modification time names the version read; make sure it moved.
    os.utime(trusted, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    assert post({"query": UNTRUSTED}).json() == {"data": {"hubStats": {"projects": 0}}}


def test_off_by_default_any_document_runs(db):
    assert post({"query": UNTRUSTED}).json() == {"data": {"hubStats": {"projects": 0}}}


def test_the_canonical_form_leaves_only_plain_typenames_out():
    with_typenames = parse("query A { a { __typename b { __typename c } } }")
    without = parse("query A { a { b { c } } }")
    aliased = parse("query A { a { t: __typename b { c } } }")

    assert persisted.canonical_hash(with_typenames) == persisted.canonical_hash(without)
    assert persisted.canonical_hash(aliased) != persisted.canonical_hash(without)
    assert print_ast(with_typenames).count("__typename") == 2  # the document is not changed


def test_a_lone_surrogate_is_not_in_the_list_and_no_500(trusted):
    body = json.dumps({"query": '{ challenge(slug: "\ud800") { title } }'})

    response = Client().post(GRAPHQL_URL, body, content_type="application/json")

    assert response.status_code == 200
    assert codes(response) == ["PERSISTED_QUERY_NOT_IN_LIST"]
