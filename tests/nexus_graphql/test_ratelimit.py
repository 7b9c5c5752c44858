"""Rate limits: per user or anonymous address, stricter for sign-in and mutations, 429s."""

import logging

import pytest
from django.core.cache import cache
from graphql import parse

from nexus_graphql import ratelimit
from nexus_graphql.documents import Document
from tests.conftest import GraphQLClient
from tests.factories import PASSWORD, ContributorFactory
from tests.nexus_graphql.conftest import client_from

QUERY = "{ hubStats { projects } }"
SIGN_IN = """
mutation SignIn($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token }
}"""
REGISTER = """
mutation Register($input: RegisterInput!) { register(input: $input) { errors { code } } }"""
UPDATE_PROFILE = """
mutation { updateProfile(input: {bio: "Hi"}) { errors { code } } }"""


def statuses(client: GraphQLClient, query: str, times: int, variables=None) -> list[int]:
    return [client.post(query, variables).status_code for _ in range(times)]


def test_anonymous_queries_over_the_limit_get_429_with_retry_after(db, rate_limits):
    client = client_from("203.0.113.1")

    assert statuses(client, QUERY, 5) == [200] * 5
    refused = client.post(QUERY)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(refused["Retry-After"])
    assert "at most 5 queries per 60 seconds" in error["message"]


def test_each_anonymous_address_has_its_own_allowance(db, rate_limits):
    statuses(client_from("203.0.113.1"), QUERY, 6)

    assert client_from("203.0.113.2").post(QUERY).status_code == 200


def test_signed_in_users_are_counted_per_user_not_per_address(db, rate_limits):
    ada, bob = ContributorFactory(), ContributorFactory()
    ada_client = client_from("203.0.113.1").login(ada)
    assert statuses(ada_client, QUERY, 6)[-1] == 429

    assert client_from("203.0.113.1").login(bob).post(QUERY).status_code == 200
    assert client_from("203.0.113.1").post(QUERY).status_code == 200


def test_mutations_have_a_stricter_limit_than_reads(db, rate_limits):
    client = client_from("203.0.113.1").login(ContributorFactory())

    assert statuses(client, UPDATE_PROFILE, 4) == [200, 200, 200, 429]
    assert "at most 3 mutations" in client.post(UPDATE_PROFILE).json()["errors"][0]["message"]
    assert client.post(QUERY).status_code == 200


def test_sign_in_attempts_are_limited_per_address(db, rate_limits):
    user = ContributorFactory().user
    wrong = {"username": user.username, "password": "not-" + PASSWORD}
    client = client_from("203.0.113.1")

    assert statuses(client, SIGN_IN, 3, wrong) == [200, 200, 429]
    # The right password from that address waits too: that is what stops guessing.
    right = client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    assert right.status_code == 429
    assert client_from("203.0.113.2").post(SIGN_IN, wrong).status_code == 200


def test_sign_in_and_register_share_the_strict_bucket_even_when_signed_in(db, rate_limits):
    client = client_from("203.0.113.1").login(ContributorFactory())
    registration = {"input": {"username": "x"}}

    assert statuses(client, REGISTER, 2, registration) == [200, 200]
    assert client.post(SIGN_IN, {"username": "x", "password": "y"}).status_code == 429
    # Other mutations of the signed-in user are counted apart.
    assert client.post(UPDATE_PROFILE).status_code == 200


def test_a_root_field_in_a_fragment_still_decides_the_bucket():
    fragment_document = parse(
        "mutation { ...SignIn } "
        'fragment SignIn on Mutation { tokenAuth(username: "a", password: "b") { token } }'
    )

    operation = ratelimit.describe(Document(fragment_document, ()), None)

    assert operation == ratelimit.Operation("mutation", "", ("tokenAuth",))
    assert operation.bucket == "auth"


def test_unparsable_documents_count_as_queries(db, rate_limits):
    client = client_from("203.0.113.1")

    assert statuses(client, "{ nope", 5) == [400] * 5
    assert client.post(QUERY).status_code == 429


def test_the_allowance_comes_back_in_the_next_window(db, rate_limits, monkeypatch):
    client = client_from("203.0.113.1")
    statuses(client, QUERY, 6)
    later = ratelimit.time.time() + 60
    monkeypatch.setattr(ratelimit.time, "time", lambda: later)

    assert client.post(QUERY).status_code == 200


def test_limits_can_be_switched_off(db, rate_limits):
    rate_limits["enabled"] = False

    assert statuses(client_from("203.0.113.1"), QUERY, 8) == [200] * 8


def test_a_cache_outage_lets_requests_through_and_is_logged(db, rate_limits, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimit, "_redis_client", down)
    monkeypatch.setattr(ratelimit, "_last_outage_logged", float("-inf"))

    with caplog.at_level(logging.WARNING, logger="nexus.ratelimit"):
        assert statuses(client_from("203.0.113.1"), QUERY, 8) == [200] * 8

    assert "rate limits not enforced" in caplog.text
    assert caplog.text.count("rate limits not enforced") == 1  # not once per request


@pytest.mark.skipif(not hasattr(cache, "client"), reason="needs the Redis cache (REDIS_URL)")
def test_on_redis_a_counter_is_one_key_that_expires_with_its_window(db, rate_limits):
    client_from("203.0.113.1").post(QUERY)

    redis = cache.client.get_client(write=True)
    keys = [k for k in redis.keys(cache.make_key("rl:query:ip:203.0.113.1:*"))]
    assert len(keys) == 1
    assert redis.get(keys[0]) == b"1"
    assert 0 < redis.ttl(keys[0]) <= 61
