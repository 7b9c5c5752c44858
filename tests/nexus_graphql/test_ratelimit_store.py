"""Rate-limit counters survive cache pressure: a flood of large cached responses fills the
response cache, which evicts its own entries, never a counter (a store of their own)."""

import contextlib
import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches

from nexus_graphql import ratelimit, response_cache, signin_guard
from nexus_graphql.outages import Outage
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


# While the store cannot count, each process counts on its own (nexus_graphql.ratelimit).


class StoreDown:
    """A counters' store whose every use fails, as a Redis down or behind an open breaker."""

    def __getattr__(self, name):
        raise ConnectionError("store down")


@pytest.fixture
def outage_store(monkeypatch):
    """The process's own counters, empty, and an outage log that starts healthy."""
    ratelimit._OUTAGE_STORE.clear()
    fresh = Outage(ratelimit.logger, "rate-limit counters", level=ratelimit._outage.level)
    monkeypatch.setattr(ratelimit, "_outage", fresh)
    yield ratelimit._OUTAGE_STORE
    ratelimit._OUTAGE_STORE.clear()


def test_while_the_store_is_down_the_process_enforces_the_limits_itself(
    db, rate_limits, monkeypatch, outage_store, caplog
):
    monkeypatch.setattr(ratelimit, "store", StoreDown)
    caplog.set_level(logging.INFO, logger="nexus.ratelimit")
    abuser, other = client_from("203.0.113.1"), client_from("203.0.113.2")

    assert [abuser.post(QUERY).status_code for _ in range(8)] == [200] * 5 + [429] * 3
    assert other.post(QUERY).status_code == 200  # counted apart, as on the shared store

    window = int(ratelimit._now() // 60)
    assert outage_store.get(f"rl:query:ip:203.0.113.1:{window}") == 8
    records = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "nexus.ratelimit"]
    # INFO: the Redis breaker warns about the server itself (one warning per cause).
    assert records == [("INFO", "rate-limit counters unavailable: ConnectionError: store down")]


def test_while_the_store_is_down_failed_sign_ins_still_lock_the_account(
    db, settings, monkeypatch, outage_store
):
    monkeypatch.setattr(ratelimit, "store", StoreDown)
    for _ in range(settings.SIGNIN_GUARD["account_failures"]):
        assert signin_guard.locked_for("ada", None) == 0
        signin_guard.record_failure("ada", None)

    assert signin_guard.locked_for("ada", None) == settings.SIGNIN_GUARD["lock_seconds"]
    signin_guard.clear_account("ada")
    assert signin_guard.locked_for("ada", None) == 0


def test_once_the_store_answers_again_the_shared_counters_count_and_it_is_logged(
    db, rate_limits, monkeypatch, outage_store, caplog
):
    caplog.set_level(logging.INFO, logger="nexus.ratelimit")
    with monkeypatch.context() as down:
        down.setattr(ratelimit, "store", StoreDown)
        client_from("203.0.113.1").post(QUERY)
    client_from("203.0.113.1").post(QUERY)

    assert units_on(ratelimit.store(), "203.0.113.1") == 1
    assert units_on(outage_store, "203.0.113.1") == 1
    assert [r.getMessage().split(" after")[0] for r in caplog.records][-1] == (
        "rate-limit counters recovered"
    )


def units_on(counters, ip: str) -> int:
    return counters.get(f"rl:query:ip:{ip}:{int(ratelimit._now() // 60)}", 0)


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on PATH")
def test_on_redis_stopped_the_limits_hold_per_process_and_come_back_to_redis(
    db, rate_limits, settings, private_redis, outage_store
):
    if "RedisCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("needs the project's Redis caches (REDIS_URL)")
    _, counters_url = private_redis
    project = settings.CACHES["ratelimit"]
    settings.CACHES = {
        "default": settings.CACHES["default"],
        "ratelimit": {**project, "LOCATION": counters_url},  # with its breaker
    }
    abuser = client_from("203.0.113.1")
    assert abuser.post(QUERY).status_code == 200
    server = redis.Redis.from_url(counters_url)
    with contextlib.suppress(redis.ConnectionError):
        server.shutdown(nosave=True)

    statuses = [abuser.post(QUERY).status_code for _ in range(7)]

    # The first shared unit is lost with the server: the process counts 1..7 afresh.
    assert statuses == [200] * 5 + [429] * 2
    assert units_on(outage_store, "203.0.113.1") == 7
