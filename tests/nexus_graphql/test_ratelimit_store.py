"""Rate-limit counters survive cache pressure: a flood of large cached responses fills the
response cache, which evicts its own entries, never a counter (a store of their own)."""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches

from nexus_graphql import ratelimit, response_cache, signin_guard
from tests.nexus_graphql.conftest import client_from

QUERY = "{ hubStats { projects } }"
CALLERS = [f"203.0.113.{n}" for n in range(1, 6)] + ["2001:db8:7::1"]


def charge_every_caller() -> dict[str, int]:
    """Some counters and a sign-in failure record, as real requests leave them."""
    for n, ip in enumerate(CALLERS):
        for _ in range(n + 1):
            client_from(ip).post(QUERY)
    signin_guard.record_failure("ada", None)
    return counters()


def counters() -> dict[str, int]:
    """Every counter the callers have, read from the rate-limit store."""
    window = int(ratelimit._now() // 60)
    addresses = [ip.replace("2001:db8:7::1", "2001:db8:7::/64") for ip in CALLERS]
    keys = [f"rl:{bucket}:ip:{ip}:{window}" for ip in addresses for bucket in ("request", "query")]
    keys.append(signin_guard._account_prefix("ada") + ":failures")
    return ratelimit.store().get_many(keys)


def total(found: dict[str, int]) -> int:
    return sum(found.values())


def flood_response_cache(entries: int, body_bytes: int) -> list[str]:
    keys = [f"gql:1:flood-{n}" for n in range(entries)]
    for n, key in enumerate(keys):
        response_cache.put(key, (b"%08d" % n) * (body_bytes // 8))
    return keys


def test_the_counters_live_in_a_store_of_their_own():
    assert ratelimit.store() is caches["ratelimit"]
    assert caches["ratelimit"] is not caches["default"]
    assert (
        django_settings.CACHES["ratelimit"].get("LOCATION")
        != django_settings.CACHES["default"].get("LOCATION")
        or "RedisCache" in django_settings.CACHES["ratelimit"]["BACKEND"]
    )


@pytest.mark.skipif(hasattr(cache, "client"), reason="the embedded (local-memory) setup")
def test_a_flood_of_large_responses_culls_the_response_cache_not_the_counters(db, rate_limits):
    rate_limits.update(query=1000, request=10_000)
    before = charge_every_caller()
    assert len(before) == 2 * len(CALLERS) + 1
    assert total(before) == 3 * sum(range(1, 7)) + 1  # request units 2, query 1; 1 failure
    # The same counters kept in the response cache's store, to show the flood does evict.
    cache.set_many({f"counter-{k}": v for k, v in before.items()}, timeout=60)

    flood = flood_response_cache(entries=3 * 300, body_bytes=16 * 1024)  # 3x MAX_ENTRIES

    assert cache.get(flood[0]) is None and cache.get(flood[-1]) is not None
    assert cache.get_many([f"counter-{k}" for k in before]) == {}  # culled with the rest
    assert counters() == before


# On Redis: two private servers, configured as the README says production should be, the
# response cache's with a small maxmemory and the most aggressive policy (allkeys-lru).

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(policy: str, maxmemory: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--maxmemory", maxmemory, "--maxmemory-policy", policy],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            return server, url
        except redis.ConnectionError:
            time.sleep(0.02)
    server.kill()
    pytest.fail("redis-server did not start")


def redis_cache(url: str) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        "KEY_PREFIX": "nexus",
    }


@pytest.fixture
def private_redis(settings):
    """Two throwaway Redis servers (stopped after the test, the suite's own untouched)."""
    original = settings.CACHES
    responses, responses_url = start_redis("allkeys-lru", "4mb")
    counters_server, counters_url = start_redis("noeviction", "64mb")
    try:
        yield responses_url, counters_url
    finally:
        settings.CACHES = original  # before the servers go: teardown clears the caches
        responses.kill()
        counters_server.kill()
        responses.wait()
        counters_server.wait()


def evicted(url: str) -> int:
    return redis.Redis.from_url(url).info("stats")["evicted_keys"]


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on PATH")
def test_on_redis_of_their_own_counters_survive_a_flood_that_evicts_responses(
    db, rate_limits, settings, private_redis
):
    responses_url, counters_url = private_redis
    settings.CACHES = {
        "default": redis_cache(responses_url),
        "ratelimit": redis_cache(counters_url),
    }
    rate_limits.update(query=1000, request=10_000)
    before = charge_every_caller()

    flood = flood_response_cache(entries=400, body_bytes=64 * 1024)  # 25 MB into 4 MB

    assert evicted(responses_url) > 300
    assert cache.get(flood[0]) is None
    assert evicted(counters_url) == 0
    assert counters() == before
    # Response entries carry TTLs; counters expire with their window, failures with memory.
    responses = redis.Redis.from_url(responses_url)
    assert 0 < responses.ttl(cache.make_key(flood[-1])) <= settings.GRAPHQL_RESPONSE_CACHE_SECONDS
    store = redis.Redis.from_url(counters_url)
    ttls = {key: store.ttl(key) for key in store.keys("*")}
    assert ttls and all(0 < ttl <= settings.SIGNIN_GUARD["memory_seconds"] for ttl in ttls.values())
    assert all(0 < ttl <= 61 for key, ttl in ttls.items() if key.startswith(b"nexus:1:rl:"))


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on PATH")
def test_sharing_the_response_caches_redis_the_same_flood_evicts_the_counters(
    db, rate_limits, settings, private_redis
):
    """Why RATELIMIT_REDIS_URL matters: the default (the cache's own Redis) is not safe."""
    responses_url, _ = private_redis
    settings.CACHES = {
        "default": redis_cache(responses_url),
        "ratelimit": redis_cache(responses_url),
    }
    rate_limits.update(query=1000, request=10_000)
    before = charge_every_caller()

    flood_response_cache(entries=400, body_bytes=64 * 1024)

    assert total(counters()) < total(before)


@pytest.mark.skipif(not hasattr(cache, "client"), reason="needs the Redis cache (REDIS_URL)")
def test_on_the_configured_redis_a_counter_is_one_key_that_expires_with_its_window(db, rate_limits):
    client_from("203.0.113.1").post(QUERY)

    store = caches["ratelimit"].client.get_client(write=True)
    keys = store.keys(caches["ratelimit"].make_key("rl:query:ip:203.0.113.1:*"))
    assert len(keys) == 1
    assert store.get(keys[0]) == b"1"
    assert 0 < store.ttl(keys[0]) <= 61
