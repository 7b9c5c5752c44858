"""Automatic persisted queries (Apollo's protocol) over POST and GET: every branch."""

import hashlib
import json
import socket
import time

import pytest
from django.core.cache import cache, caches
from django.test import Client

from nexus_graphql import persisted
from nexus_graphql.redis_breaker import breaker_of
from tests.conftest import GRAPHQL_URL

QUERY = "query Stats { hubStats { challenges } }"
MUTATION = 'mutation Revoke { revokeToken(refreshToken: "x") { revoked } }'
GRJ = "application/graphql-response+json"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(sha256: str, version=1) -> dict:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256}}


def post(body: dict, **headers):
    return Client().post(
        GRAPHQL_URL, json.dumps(body), content_type="application/json", headers=headers
    )


def get(params: dict, **headers):
    encoded = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    return Client().get(GRAPHQL_URL, encoded, headers={"Accept": "application/json", **headers})


def codes(response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


def stored(sha256: str):
    return cache.get("apq:" + sha256)


@pytest.fixture
def registered(db):
    """QUERY, sent once with its hash (what a client does after a miss)."""
    response = post({"query": QUERY, "extensions": apq(sha(QUERY))})
    assert response.status_code == 200, response.content
    return sha(QUERY)


def test_an_unknown_hash_without_a_document_is_persisted_query_not_found(db):
    response = post({"extensions": apq(sha(QUERY))})

    assert response.status_code == 200  # a request error, under application/json
    assert response.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    assert response["X-Persisted-Query"] == "MISS"
    assert response["Cache-Control"] == "private, no-store"  # a CDN must not keep the miss


def test_a_miss_under_graphql_response_json_is_a_404(db):
    response = post({"extensions": apq(sha(QUERY))}, Accept=GRJ)

    assert response.status_code == 404
    assert response["Content-Type"].startswith(GRJ)
    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_a_document_sent_with_its_hash_runs_and_is_stored(db):
    response = post({"query": QUERY, "extensions": apq(sha(QUERY))})

    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}
    assert response["X-Persisted-Query"] == "STORED"
    assert stored(sha(QUERY)) == QUERY


def test_then_the_hash_alone_runs_it(registered):
    persisted.local_documents.clear()  # from the shared cache, as another worker would

    response = post({"extensions": apq(registered)})

    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}
    assert response["X-Persisted-Query"] == "HIT"


def test_a_hash_that_is_not_the_documents_is_refused_and_nothing_is_stored(db):
    wrong = sha("{ hubStats { projects } }")

    response = post({"query": QUERY, "extensions": apq(wrong)})

    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]
    assert "not the sha256 of the query" in response.json()["errors"][0]["message"]
    assert "data" not in response.json()
    assert stored(wrong) is None and stored(sha(QUERY)) is None
    assert codes(post({"extensions": apq(wrong)})) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_the_hash_is_of_the_exact_text(db):
    """Layout counts: the hash names the bytes, not the parsed document."""
    response = post({"query": QUERY + " ", "extensions": apq(sha(QUERY))})

    assert response.status_code == 400


def test_a_document_that_does_not_validate_is_not_stored(db):
    bad = "{ hubStats { secrets } }"

    response = post({"query": bad, "extensions": apq(sha(bad))})

    assert "Cannot query field 'secrets'" in response.json()["errors"][0]["message"]
    assert "X-Persisted-Query" not in response
    assert stored(sha(bad)) is None


@pytest.mark.parametrize(
    "extensions, message",
    [
        (apq(sha(QUERY), version=2), "Unsupported persisted query version 2"),
        (apq(sha(QUERY), version="1"), 'Unsupported persisted query version "1"'),
        (apq(sha(QUERY), version=True), "Unsupported persisted query version true"),
        (
            {"persistedQuery": {"sha256Hash": sha(QUERY)}},
            "Unsupported persisted query version null",
        ),
        (apq(sha(QUERY).upper()), "64 lower-case hex digits"),
        (apq(sha(QUERY)[:63]), "64 lower-case hex digits"),
        (apq(12), "64 lower-case hex digits"),
        ({"persistedQuery": "abc"}, "must be an object"),
        ({"persistedQuery": [1]}, "must be an object"),
        ("persistedQuery", "extensions must be a JSON object"),
        ([apq(sha(QUERY))], "extensions must be a JSON object"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_malformed_persisted_queries_are_a_clear_400(db, extensions, message):
    response = post({"query": QUERY, "extensions": extensions})

    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]
    assert message in response.json()["errors"][0]["message"]
    assert stored(sha(QUERY)) is None


def test_other_extensions_are_ignored(db):
    response = post({"query": QUERY, "extensions": {"tracing": True}})

    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}


def test_a_get_by_hash_runs_the_stored_query(registered):
    response = get({"extensions": apq(registered), "operationName": "Stats"})

    assert response.status_code == 200
    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}
    assert response["X-Persisted-Query"] == "HIT"
    assert response["Cache-Control"] == "public, max-age=10"
    assert response["ETag"].startswith('W/"')


def test_a_get_by_hash_answers_304_to_its_etag(registered):
    etag = get({"extensions": apq(registered)})["ETag"]

    again = get({"extensions": apq(registered)}, **{"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_get_miss_is_not_cacheable(db):
    response = get({"extensions": apq(sha(QUERY))})

    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_a_get_with_extensions_that_are_not_json_is_a_400(db):
    response = get({"extensions": "{persistedQuery"})

    assert response.status_code == 400
    assert "extensions is not valid JSON" in response.json()["errors"][0]["message"]


def test_a_get_with_the_document_and_its_hash_stores_it(db):
    response = get({"query": QUERY, "extensions": apq(sha(QUERY))})

    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}
    assert stored(sha(QUERY)) == QUERY


def test_a_mutation_by_hash_over_get_stays_refused(db):
    post({"query": MUTATION, "extensions": apq(sha(MUTATION))})
    assert stored(sha(MUTATION)) == MUTATION

    response = get({"extensions": apq(sha(MUTATION))})

    assert response.status_code == 405
    assert codes(response) == ["METHOD_NOT_ALLOWED"]


def test_a_mutation_sent_over_get_with_its_hash_is_not_stored(db):
    response = get({"query": MUTATION, "extensions": apq(sha(MUTATION))})

    assert response.status_code == 405
    assert stored(sha(MUTATION)) is None


def test_a_mutation_by_hash_over_post_runs(db):
    post({"query": MUTATION, "extensions": apq(sha(MUTATION))})

    response = post({"extensions": apq(sha(MUTATION))})

    assert response["X-Persisted-Query"] == "HIT"
    assert "revokeToken" in response.json()["data"]


def test_variables_go_with_the_hash(db):
    query = "query One($slug: String!) { challenge(slug: $slug) { title } }"
    post({"query": query, "variables": {"slug": "x"}, "extensions": apq(sha(query))})

    response = get({"extensions": apq(sha(query)), "variables": {"slug": "nope"}})

    assert response.json() == {"data": {"challenge": None}}


def test_a_cache_outage_degrades_to_not_found_then_the_sent_document(db, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(persisted.cache, "get", down)
    monkeypatch.setattr(persisted.cache, "set", down)

    miss = post({"extensions": apq(sha(QUERY))})
    sent = post({"query": QUERY, "extensions": apq(sha(QUERY))})

    assert miss.status_code == 200 and codes(miss) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert sent.json() == {"data": {"hubStats": {"challenges": 0}}}
    # This worker keeps what it saw, so the next hash-only request still runs here.
    assert post({"extensions": apq(sha(QUERY))}).json() == {"data": {"hubStats": {"challenges": 0}}}


def test_a_cache_entry_that_is_not_the_hashed_document_is_a_miss(db):
    cache.set("apq:" + sha(QUERY), "{ hubStats { projects } }")

    response = post({"extensions": apq(sha(QUERY))})

    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_with_persisted_queries_off_the_client_is_told_to_stop(db, settings):
    settings.GRAPHQL_PERSISTED_QUERIES = False

    response = post({"query": QUERY, "extensions": apq(sha(QUERY))})

    # Apollo's link disables itself on this message and code, then sends plain queries.
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotSupported"
    assert codes(response) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
    assert stored(sha(QUERY)) is None


def test_the_local_lru_is_bounded():
    documents = persisted.LocalDocuments(2)
    for n in range(3):
        documents.put(str(n), f"doc {n}")

    assert [documents.get(str(n)) for n in range(3)] == [None, "doc 1", "doc 2"]


def test_an_unreachable_redis_degrades_through_the_breaker(db, settings):
    """The real wiring: django-redis with the breaker client, on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "REDIS_CLIENT_CLASS": "nexus_graphql.redis_breaker.BreakerRedis",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        },
    }
    started = time.monotonic()

    miss = post({"extensions": apq(sha(QUERY))})
    sent = post({"query": QUERY, "extensions": apq(sha(QUERY))})

    assert miss.status_code == 200 and codes(miss) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert sent.json() == {"data": {"hubStats": {"challenges": 0}}}
    assert breaker_of(caches["default"]).closed is False  # later calls skip Redis at once
    assert time.monotonic() - started < 5


def test_a_lone_surrogate_in_a_document_sent_with_a_hash_is_no_500(db):
    # JSON may carry "\ud800"; Python cannot encode it as UTF-8 without being told how.
    query = '{ challenge(slug: "\ud800") { title } }'
    body = json.dumps({"query": query, "extensions": apq("0" * 64)})

    response = Client().post(GRAPHQL_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]
    assert persisted.sha256_of(query)  # and its own hash is a hash like any other
