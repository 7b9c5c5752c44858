"""Rate limits count what a request does: each auth or mutation root field (aliases too),
against the address and the signed-in user both, in the store of their own."""

import ipaddress
import random

import pytest
from django.contrib.auth import get_user_model
from graphql import parse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from nexus_graphql import ratelimit
from nexus_graphql.client_ip import rate_limit_key
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
WINDOW_START = 1_900_000_020.0  # a multiple of 60: a window's start


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    """The windows' clock, stopped one second into a window (no test straddles two)."""
    now = [WINDOW_START + 1]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    return now


def units(bucket: str, caller: str) -> int:
    """What a counter of the current window holds, read from the rate-limit store itself."""
    key = f"rl:{bucket}:{caller}:{int(ratelimit._now() // 60)}"
    return ratelimit.store().get(key, 0)


def statuses(client: GraphQLClient, query: str, times: int, variables=None) -> list[int]:
    return [client.post(query, variables).status_code for _ in range(times)]


# The 429 and the buckets.


def test_anonymous_queries_over_the_limit_get_429_with_retry_after(db, rate_limits, clock):
    client = client_from("203.0.113.1")

    assert statuses(client, QUERY, 5) == [200] * 5
    refused = client.post(QUERY)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 59  # one second into the window
    error = refused.json()["errors"][0]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 59}
    assert "at most 5 queries per 60 seconds" in error["message"]


def test_a_429_answers_in_the_media_type_asked_for(db, rate_limits, clock):
    client = client_from("203.0.113.1")
    statuses(client, QUERY, 5)
    grj = "application/graphql-response+json"

    refused = client.post(QUERY, headers={"Accept": grj})

    assert refused.status_code == 429
    assert refused["Content-Type"] == f"{grj}; charset=utf-8"
    assert refused["Cache-Control"] == "private, no-store"
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_each_anonymous_address_has_its_own_allowance(db, rate_limits):
    statuses(client_from("203.0.113.1"), QUERY, 6)

    assert client_from("203.0.113.2").post(QUERY).status_code == 200


def test_signed_in_users_count_against_their_user_and_their_address(db, rate_limits):
    ada, bob = ContributorFactory(), ContributorFactory()
    assert statuses(client_from("203.0.113.1").login(ada), QUERY, 6)[-1] == 429

    # The address is spent for every account on it, and for anonymous callers ...
    assert client_from("203.0.113.1").login(bob).post(QUERY).status_code == 429
    assert client_from("203.0.113.1").post(QUERY).status_code == 429
    # ... and ada is spent from any address; others elsewhere are not.
    assert client_from("203.0.113.2").login(ada).post(QUERY).status_code == 429
    assert client_from("203.0.113.2").login(bob).post(QUERY).status_code == 200


def test_mutations_have_a_stricter_limit_than_reads(db, rate_limits):
    client = client_from("203.0.113.1").login(ContributorFactory())

    assert statuses(client, UPDATE_PROFILE, 4) == [200, 200, 200, 429]
    assert "at most 3 mutation fields" in client.post(UPDATE_PROFILE).json()["errors"][0]["message"]
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


def test_signing_up_creates_no_fresh_budget(db, rate_limits):
    rate_limits["auth"] = 100
    anonymous = client_from("203.0.113.1")
    new_accounts = []
    for n in range(3):  # each sign-up is a mutation of the address, then a new account
        payload = anonymous.query(
            "mutation R($input: RegisterInput!) "
            "{ register(input: $input) { token errors { code } } }",
            {
                "input": {
                    "username": f"new{n}",
                    "email": f"new{n}@example.com",
                    "password": PASSWORD,
                }
            },
        )["register"]
        assert payload["errors"] == []
        account = client_from("203.0.113.1")
        account.token = payload["token"]
        new_accounts.append(account)

    # The address has 5 queries in all: brand-new accounts on it share them.
    answers = [account.post(QUERY).status_code for account in new_accounts * 2]

    assert answers == [200] * 5 + [429]
    assert units("query", "ip:203.0.113.1") == 6
    assert get_user_model().objects.filter(username__startswith="new").count() == 3


def test_unparsable_documents_count_as_queries(db, rate_limits):
    client = client_from("203.0.113.1")

    assert statuses(client, "{ nope", 5) == [200] * 5  # request errors, under application/json
    assert client.post(QUERY).status_code == 429


def test_the_allowance_comes_back_in_the_next_window(db, rate_limits, clock):
    client = client_from("203.0.113.1")
    statuses(client, QUERY, 6)
    clock[0] += 60

    assert client.post(QUERY).status_code == 200


def test_limits_can_be_switched_off(db, rate_limits):
    rate_limits["enabled"] = False

    assert statuses(client_from("203.0.113.1"), QUERY, 8) == [200] * 8
    assert units("query", "ip:203.0.113.1") == 0


# Every root field is charged: generated documents with k selections of a field, spelled as
# aliases, named fragments, inline fragments and mixes, move its counter by exactly k.

AUTH_SELECTIONS = {
    "tokenAuth": 'tokenAuth(username: "nobody{n}", password: "x") {{ token }}',
    "register": 'register(input: {{username: "{n}"}}) {{ errors {{ code }} }}',
    "updateProfile": 'updateProfile(input: {{bio: "b{n}"}}) {{ errors {{ code }} }}',
}


def generated_document(field: str, k: int, rng: random.Random) -> tuple[str, int]:
    """A mutation running `field` k times under distinct aliases, spread among fragments,
    plus repeats that GraphQL merges (same response key): the count the executor runs."""
    parts, fragments = [], []
    for n in range(k):
        selection = f"a{n}: " + AUTH_SELECTIONS[field].format(n=n)
        how = rng.choice(["plain", "inline", "fragment", "nested"])
        if how == "plain":
            parts.append(selection)
        elif how == "inline":
            parts.append(f"... on Mutation {{ {selection} }}")
        elif how == "fragment":
            parts.append(f"...F{n}")
            fragments.append(f"fragment F{n} on Mutation {{ {selection} }}")
        else:
            parts.append(f"... {{ ...F{n} }}")
            fragments.append(f"fragment F{n} on Mutation {{ ... on Mutation {{ {selection} }} }}")
        if rng.random() < 0.3:  # the same selection again, or its fragment spread twice
            parts.append(parts[-1])
    rng.shuffle(parts)
    return "mutation { " + " ".join(parts) + " } " + " ".join(fragments), k


@pytest.mark.parametrize("field", sorted(AUTH_SELECTIONS))
def test_each_alias_of_a_root_field_is_charged_once(db, rate_limits, clock, field):
    rate_limits.update(auth=10_000, mutation=10_000)
    bucket = "mutation" if field == "updateProfile" else "auth"
    client = client_from("203.0.113.1").login(ContributorFactory())
    rng = random.Random(field)
    expected = 0
    for k in [1, 2, 3, 5, 8, 13]:
        document, runs = generated_document(field, k, rng)

        client.post(document)

        expected += runs
        assert units(bucket, "ip:203.0.113.1") == expected, document
        assert units(bucket, f"user:{client_user_pk(client)}") == expected


def client_user_pk(client: GraphQLClient) -> int:
    from graphql_jwt.utils import get_payload

    username = get_payload(client.token)["username"]
    return get_user_model().objects.get(username=username).pk


def test_describe_counts_what_the_executor_runs():
    rng = random.Random(7)
    for k in range(1, 30):
        document, runs = generated_document("tokenAuth", k, rng)

        operation = ratelimit.describe(Document(parse(document), ()), None)

        assert operation.root_fields == ("tokenAuth",) * runs
        assert operation.charges == {"auth": runs}


def test_a_mix_of_fields_is_charged_to_each_bucket():
    document = parse(
        'mutation { a: tokenAuth(username: "a", password: "b") { token } '
        "b: register(input: {}) { token } updateProfile(input: {}) { errors { code } } "
        "__typename }"
    )

    operation = ratelimit.describe(Document(document, ()), None)

    assert operation.root_fields == ("tokenAuth", "register", "updateProfile", "__typename")
    assert operation.charges == {"auth": 2, "mutation": 2}


def test_thirty_register_aliases_are_thirty_sign_ups_refused_before_any_is_made(db, rate_limits):
    rate_limits["auth"] = 10
    selections = " ".join(
        f'r{n}: register(input: {{username: "flood{n}", email: "f{n}@example.com", '
        f'password: "{PASSWORD}"}}) {{ errors {{ code }} }}'
        for n in range(30)
    )

    refused = client_from("203.0.113.1").post(f"mutation {{ {selections} }}")

    assert refused.status_code == 429
    assert "at most 10 sign-in and registration fields" in refused.json()["errors"][0]["message"]
    assert not get_user_model().objects.filter(username__startswith="flood").exists()
    assert units("auth", "ip:203.0.113.1") == 30


def test_within_the_allowance_every_alias_runs_and_writes(db, rate_limits):
    rate_limits["auth"] = 4
    selections = " ".join(
        f'r{n}: register(input: {{username: "alias{n}", email: "a{n}@example.com", '
        f'password: "{PASSWORD}"}}) {{ errors {{ code }} }}'
        for n in range(4)
    )
    client = client_from("203.0.113.1")

    # Outside django-zeal's guard: k sign-ups in one request are k profile lookups by design.
    answer = client.http.post(
        "/graphql/", {"query": f"mutation {{ {selections} }}"}, content_type="application/json"
    )

    data = answer.json()["data"]
    assert all(data[f"r{n}"]["errors"] == [] for n in range(4))
    assert get_user_model().objects.filter(username__startswith="alias").count() == 4
    # The allowance is spent: a fifth sign-up waits.
    assert client.post(REGISTER, {"input": {"username": "late"}}).status_code == 429


# Addresses: IPv4 whole, IPv6 per /64, IPv4-mapped IPv6 as IPv4.


def random_ipv6_in(prefix: int, rng: random.Random) -> str:
    return str(ipaddress.IPv6Address((prefix << 64) | rng.getrandbits(64)))


def test_ipv6_callers_in_one_64_share_an_allowance(db, rate_limits):
    rng = random.Random(64)
    prefix = 0x2001_0DB8_0001_0002
    callers = [random_ipv6_in(prefix, rng) for _ in range(6)]

    answers = [client_from(ip).post(QUERY).status_code for ip in callers]

    assert answers == [200] * 5 + [429]
    assert units("query", "ip:2001:db8:1:2::/64") == 6


def test_ipv6_callers_in_other_64s_have_their_own(db, rate_limits):
    rng = random.Random(65)
    spent = 0x2001_0DB8_0001_0002
    statuses(client_from(random_ipv6_in(spent, rng)), QUERY, 6)
    # Neighbouring /64s (one bit apart in the prefix), and random ones.
    others = [spent ^ (1 << bit) for bit in range(0, 64, 7)] + [rng.getrandbits(64) | 1 << 61]

    answers = [client_from(random_ipv6_in(p, rng)).post(QUERY).status_code for p in others]

    assert answers == [200] * len(others)


def test_ipv4_mapped_ipv6_counts_as_the_ipv4_address(db, rate_limits):
    statuses(client_from("198.51.100.9"), QUERY, 3)
    statuses(client_from("::ffff:198.51.100.9"), QUERY, 2)

    assert client_from("::ffff:c633:6409").post(QUERY).status_code == 429
    assert units("query", "ip:198.51.100.9") == 6


def test_a_root_field_in_a_fragment_still_counts():
    fragment_document = parse(
        "mutation { ...SignIn } "
        'fragment SignIn on Mutation { tokenAuth(username: "a", password: "b") { token } }'
    )

    operation = ratelimit.describe(Document(fragment_document, ()), None)

    assert operation == ratelimit.Operation("mutation", "", ("tokenAuth",))
    assert operation.charges == {"auth": 1}


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    prefix=st.integers(0, 2**64 - 1),
    host_a=st.integers(0, 2**64 - 1),
    host_b=st.integers(0, 2**64 - 1),
    other_prefix=st.integers(0, 2**64 - 1),
)
def test_ipv6_addresses_are_keyed_by_their_64(prefix, host_a, host_b, other_prefix):
    a = ipaddress.IPv6Address(prefix << 64 | host_a)
    b = ipaddress.IPv6Address(prefix << 64 | host_b)
    elsewhere = ipaddress.IPv6Address(other_prefix << 64 | host_a)
    if a.ipv4_mapped is not None or elsewhere.ipv4_mapped is not None:
        return  # ::ffff:0:0/96 is IPv4, below

    assert (
        rate_limit_key(str(a))
        == rate_limit_key(str(b))
        == f"{ipaddress.IPv6Address(prefix << 64)}/64"
    )
    assert (rate_limit_key(str(elsewhere)) == rate_limit_key(str(a))) == (other_prefix == prefix)


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_ipv4_is_keyed_whole_and_mapped_ipv6_as_ipv4(value):
    v4 = ipaddress.IPv4Address(value)
    mapped = ipaddress.IPv6Address(0xFFFF << 32 | value)

    assert rate_limit_key(str(v4)) == rate_limit_key(str(mapped)) == str(v4)
    assert rate_limit_key(mapped.exploded) == str(v4)
