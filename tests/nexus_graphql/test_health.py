"""/healthz and /readyz, as a kubelet or a load balancer calls them."""

import re
import socket
import threading
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from nexus_graphql import health
from nexus_graphql.outages import Outage
from tests.nexus_graphql import test_redis_breaker as faults
from tests.ops.broker import UNREACHABLE, using_broker
from traffic import selectors as traffic_selectors

pytestmark = pytest.mark.django_db

CHECK_NAMES = ("database", "cache", "broker", "channel_layer")


@pytest.fixture(autouse=True)
def fresh_readiness(monkeypatch):
    health.readiness_checks.forget()
    # Each test starts with every dependency healthy in the logs' eyes (outages.Outage).
    fresh = {name: Outage(health.logger, f"readiness check {name}") for name in health.CHECKS}
    monkeypatch.setattr(health, "_OUTAGES", fresh)
    yield
    health.readiness_checks.forget()


@pytest.fixture
def probe():
    # Kubelets call a pod by its IP, a host no ALLOWED_HOSTS lists.
    return Client(HTTP_HOST="10.1.2.3:8000")


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingCheck:
    """A stub check: counts its runs and answers which run it was (to tell results apart)."""

    def __init__(self, hang: threading.Event | None = None, fail: bool = False):
        self.runs, self.hang, self.fail = 0, hang, fail
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.runs += 1
            run = self.runs
        if self.hang is not None:
            self.hang.wait(10)
        if self.fail:
            raise ConnectionError("refused")
        return f"ok#{run}"


def generated(max_examples: int):
    return hypothesis_settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


# --- Liveness ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_liveness_answers_without_touching_anything(probe, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = probe.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


def test_liveness_neither_reads_the_cache_nor_the_blocklist(probe, monkeypatch, settings):
    # The database, the cache (Redis) and the blocklist (read from both) all fail loudly.
    settings.TRAFFIC_TRACKING = True

    def no_io(*args, **kwargs):
        raise AssertionError("/healthz did I/O")

    monkeypatch.setattr(type(connections["default"]), "cursor", no_io)
    for method in ("get", "set", "delete", "get_many"):
        monkeypatch.setattr(cache, method, no_io)
    monkeypatch.setattr(traffic_selectors, "_blocklist", no_io)
    for name in CHECK_NAMES:
        monkeypatch.setitem(health.CHECKS, name, no_io)

    assert probe.get("/healthz").status_code == 200


# --- Readiness, with the real checks ------------------------------------------------------


def channel_layer_state() -> str:
    """What the real channel layer reports: Redis in the PostgreSQL + Redis run."""
    return "ok" if settings.CHANNEL_REDIS_URL else "in-process"


@pytest.mark.parametrize("path", ["/readyz", "/readyz/"])
def test_readiness_checks_the_database_the_cache_and_the_broker(probe, path):
    response = probe.get(path)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "broker": "in-process",
            "channel_layer": channel_layer_state(),
        },
        "failed": [],
    }
    assert response["Cache-Control"] == "no-store"


def test_not_ready_without_the_database(probe, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    # The checks run in threads of their own, each with its own connection object.
    monkeypatch.setattr(type(connections["default"]), "cursor", refuse)

    response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "database": "failed: OperationalError",
            "cache": "ok",
            "broker": "in-process",
            "channel_layer": channel_layer_state(),
        },
        "failed": ["database"],
    }


def test_not_ready_when_the_cache_keeps_nothing(probe, settings):
    # What a Redis outage looks like through a cache that swallows its errors.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["cache"] == "failed: ConnectionError"


def test_not_ready_without_the_broker(probe):
    with using_broker(UNREACHABLE):
        response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["checks"]["broker"] == "failed: OperationalError"


def test_a_failure_is_named_but_its_details_stay_in_the_logs(probe, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError('could not connect to server "db.internal" (10.0.0.5)')

    monkeypatch.setattr(type(connections["default"]), "cursor", refuse)

    response = probe.get("/readyz")

    assert "db.internal" not in response.content.decode()
    assert any("db.internal" in record.getMessage() for record in caplog.records)


def test_other_paths_are_not_probes(probe):
    # The probes answer any host; everything else still checks ALLOWED_HOSTS.
    assert probe.get("/healthzz").status_code == 400


def test_readiness_checks_only_what_it_is_told_to(probe, settings):
    # An operator who would rather serve without the cache than not at all.
    settings.READINESS_CHECKS = ["database"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = probe.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


def test_a_result_answers_only_for_the_broker_it_checked(probe):
    assert probe.get("/readyz").json()["checks"]["broker"] == "in-process"

    with using_broker(UNREACHABLE):  # within the second: still not the old result
        assert probe.get("/readyz").json()["checks"]["broker"] == "failed: OperationalError"


# --- Readiness: at most one run of the checks a second, bounded in time -------------------


@generated(max_examples=60)
@given(gaps=st.lists(st.floats(min_value=0, max_value=2.5), min_size=1, max_size=30))
def test_the_checks_run_at_most_once_a_second_and_no_result_is_older(monkeypatch, settings, gaps):
    clock, check = FakeClock(), CountingCheck()
    readiness = health.Readiness(clock=clock)
    settings.READINESS_CHECKS = ["database"]
    monkeypatch.setitem(health.CHECKS, "database", check)

    expected_runs, last_run_at = 0, None
    for gap in gaps:
        clock.now += gap
        if last_run_at is None or clock.now - last_run_at >= 1.0:
            expected_runs, last_run_at = expected_runs + 1, clock.now

        result = readiness.current()

        assert check.runs == expected_runs
        assert result.body["checks"] == {"database": f"ok#{expected_runs}"}
        assert 0 <= clock.now - result.checked_at < 1.0


def test_readyz_serves_the_cached_result_between_runs(probe, monkeypatch):
    clock, check = FakeClock(), CountingCheck()
    monkeypatch.setattr(health, "readiness_checks", health.Readiness(clock=clock))
    for name in CHECK_NAMES:
        monkeypatch.setitem(health.CHECKS, name, check)

    bodies = []
    for _ in range(5):
        bodies.append(probe.get("/readyz").json())
        clock.now += 0.3  # 0, 0.3, 0.6, 0.9: one run; 1.2: the second

    assert check.runs == 2 * len(CHECK_NAMES)
    assert bodies[0] == bodies[3] != bodies[4]


@pytest.mark.parametrize("callers", [2, 8, 32])
def test_concurrent_callers_during_a_refresh_share_one_run(monkeypatch, settings, callers):
    release = threading.Event()
    check = CountingCheck(hang=release)
    readiness = health.Readiness()
    settings.READINESS_CHECKS = ["database"]
    monkeypatch.setitem(health.CHECKS, "database", check)
    results = []

    def call():
        results.append(readiness.current())

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    time.sleep(0.05)  # every caller is now waiting on the one refresh
    release.set()
    for thread in threads:
        thread.join(5)

    assert check.runs == 1
    assert len(results) == callers
    assert len({id(result) for result in results}) == 1
    assert results[0].body["checks"] == {"database": "ok#1"}


outcomes = st.sampled_from(["ok", "fail", "hang"])


@generated(max_examples=30)
@given(chosen=st.fixed_dictionaries({name: outcomes for name in CHECK_NAMES}))
def test_each_check_is_bounded_and_reported_on_its_own(monkeypatch, settings, chosen):
    settings.READINESS_CHECK_TIMEOUT_SECONDS = 0.05
    release = threading.Event()
    for name, outcome in chosen.items():
        check = CountingCheck(hang=release if outcome == "hang" else None, fail=outcome == "fail")
        monkeypatch.setitem(health.CHECKS, name, check)
    readiness = health.Readiness()

    started = time.monotonic()
    result = readiness.current()
    elapsed = time.monotonic() - started
    release.set()

    expected = {
        name: {"ok": "ok#1", "fail": "failed: ConnectionError", "hang": health.TIMED_OUT}[outcome]
        for name, outcome in chosen.items()
    }
    failed = [name for name in CHECK_NAMES if chosen[name] != "ok"]
    assert result.body == {
        "status": "unavailable" if failed else "ready",
        "checks": expected,
        "failed": failed,
    }
    assert result.status == (503 if failed else 200)
    assert elapsed < 0.05 + 0.2  # the checks ran side by side, each within its own timeout


def test_readyz_answers_within_a_second_when_everything_hangs(probe, monkeypatch):
    release = threading.Event()
    for name in CHECK_NAMES:
        monkeypatch.setitem(health.CHECKS, name, CountingCheck(hang=release))

    started = time.monotonic()
    response = probe.get("/readyz")
    elapsed = time.monotonic() - started
    release.set()

    assert response.status_code == 503
    assert response.json()["checks"] == dict.fromkeys(CHECK_NAMES, health.TIMED_OUT)
    assert elapsed < 1.0


def test_a_check_still_hanging_is_not_started_again(monkeypatch, settings):
    clock, release = FakeClock(), threading.Event()
    check = CountingCheck(hang=release)
    readiness = health.Readiness(clock=clock)
    settings.READINESS_CHECKS = ["database"]
    settings.READINESS_CHECK_TIMEOUT_SECONDS = 0.02
    monkeypatch.setitem(health.CHECKS, "database", check)

    for _ in range(5):  # five refreshes, one thread stuck in the check
        assert readiness.current().body["checks"] == {"database": health.TIMED_OUT}
        clock.now += 1.0
    assert check.runs == 1

    release.set()
    time.sleep(0.05)  # the stuck run returns; the next refresh starts a new one
    assert readiness.current().body["checks"] == {"database": "ok#2"}
    assert check.runs == 2


# --- Readiness while Redis is sick (nexus_graphql.redis_breaker) ----------------------------


def redis_cache_at(port: int) -> dict:
    """The default cache as the project configures it on Redis, at a port of the test's own."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {
            "REDIS_CLIENT_CLASS": "nexus_graphql.redis_breaker.BreakerRedis",
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }


@pytest.fixture
def redis_cache_on(settings):
    """Point the default cache at a port; put the configuration back before the teardown."""
    original = settings.CACHES

    def configure(port: int) -> None:
        settings.CACHES = {**original, "default": redis_cache_at(port)}

    yield configure
    settings.CACHES = original


def test_with_the_breaker_open_readyz_names_it_and_sends_redis_nothing(
    probe, settings, redis_cache_on, monkeypatch
):
    settings.READINESS_CHECKS = ["cache"]
    port = faults.free_port()  # nothing listens there: Redis is down
    redis_cache_on(port)

    first = probe.get("/readyz").json()  # the failure that opens the breaker
    health.readiness_checks.forget()
    attempts = []
    connect = socket.socket.connect

    def counting(self, address):
        if address == ("127.0.0.1", port):
            attempts.append(address)
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    second = probe.get("/readyz")

    assert first["checks"]["cache"] == "failed: circuit open (retrying in 5 s)"
    assert second.status_code == 503
    assert second.json()["failed"] == ["cache"]
    assert re.fullmatch(
        r"failed: circuit open \(retrying in [1-5] s\)", second.json()["checks"]["cache"]
    )
    assert attempts == []


@faults.needs_redis
def test_readyz_answers_within_a_second_during_a_redis_hang_and_names_the_cache(
    probe, settings, redis_cache_on
):
    faults.project_redis_caches(settings)  # the fault tests run where Redis is configured
    settings.READINESS_CHECKS = ["database", "cache"]
    port = faults.free_port()
    server = faults.start_server(port)
    try:
        redis_cache_on(port)
        assert probe.get("/readyz").json()["checks"]["cache"] == "ok"
        health.readiness_checks.forget()
        sleeper, _ = faults.in_thread(
            lambda: faults.admin(port).execute_command("DEBUG", "SLEEP", 2)
        )
        time.sleep(0.1)

        started = time.monotonic()
        response = probe.get("/readyz")
        elapsed = time.monotonic() - started
        sleeper.join(timeout=10)
    finally:
        server.kill()
        server.wait(timeout=10)

    assert elapsed < 1.0
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["database"] == "ok"
    assert re.fullmatch(
        r"failed: (circuit open \(retrying in \d s\)|Timeout)", response.json()["checks"]["cache"]
    )


def test_readiness_round_trips_a_message_through_a_real_channel_layer(monkeypatch):
    """A layer that is not in-process must carry a message to say ok."""
    from channels.layers import BaseChannelLayer

    class Loopback(BaseChannelLayer):
        def __init__(self):
            super().__init__()
            self.boxes = {}

        async def new_channel(self, prefix="specific."):
            return f"{prefix}1"

        async def send(self, channel, message):
            self.boxes[channel] = message

        async def receive(self, channel):
            return self.boxes.pop(channel)

    monkeypatch.setattr(health, "get_channel_layer", Loopback)
    assert health._channel_layer() == "ok"
