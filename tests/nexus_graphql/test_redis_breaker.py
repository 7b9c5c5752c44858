"""The Redis circuit breaker: its states on a fake clock, then real faults on a private
redis-server (a hang, a write pause, a full pause, a shutdown), where at most one of 50
cache and rate-limit operations may wait out a socket timeout."""

import contextlib
import copy
import logging
import shutil
import socket
import subprocess
import threading
import time
from io import BytesIO

import pytest
import redis
from django.core.cache import cache, caches
from django.core.handlers.wsgi import WSGIHandler
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from nexus_graphql import outages, ratelimit, redis_breaker
from nexus_graphql.redis_breaker import BreakerRedis, CircuitBreaker, CircuitOpen, breaker_of

OPEN_SECONDS = 5.0


@pytest.fixture
def clock(monkeypatch, settings):
    settings.REDIS_BREAKER_OPEN_SECONDS = OPEN_SECONDS
    now = [1000.0]
    monkeypatch.setattr(redis_breaker, "_clock", lambda: now[0])
    monkeypatch.setattr(outages, "_clock", lambda: now[0])  # the outage's log lines
    return now


class FakeServer:
    """A stand-in for a command: answers, fails as a dead Redis does, or waits to be told."""

    def __init__(self):
        self.calls = 0
        self.error: BaseException | None = None
        self.hold: threading.Event | None = None
        self.entered = threading.Event()

    def __call__(self, *args):
        self.calls += 1
        self.entered.set()
        if self.hold is not None:
            assert self.hold.wait(timeout=10)
        if self.error is not None:
            raise self.error
        return "PONG"


def trip(breaker: CircuitBreaker, server: FakeServer) -> None:
    server.error = RedisTimeoutError("Timeout reading from socket")
    with pytest.raises(RedisTimeoutError):
        breaker.call(server)
    server.error = None


def in_thread(target) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run():
        try:
            outcome.append(target())
        except BaseException as error:  # the test reads what happened
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


# --- The state machine ---------------------------------------------------------------------


def test_closed_calls_go_through_without_taking_the_lock(clock):
    breaker, server = CircuitBreaker("test:1"), FakeServer()

    class NoLock:
        def __enter__(self):
            raise AssertionError("a call on a closed breaker took the lock")

        def __exit__(self, *exc):
            return False

    breaker._lock = NoLock()
    assert [breaker.call(server) for _ in range(100)] == ["PONG"] * 100
    assert server.calls == 100 and breaker.closed


def test_a_failure_opens_it_and_then_calls_are_refused_without_reaching_the_server(clock):
    breaker, server = CircuitBreaker("test:2"), FakeServer()
    trip(breaker, server)

    for _ in range(50):
        clock[0] += 0.09
        with pytest.raises(CircuitOpen):
            breaker.call(server)

    assert server.calls == 1
    assert not breaker.closed
    assert str(breaker.refusal()) == "circuit open (retrying in 1 s)"  # 4.5 s of 5 gone


def test_connection_refused_opens_it_like_a_timeout(clock):
    breaker, server = CircuitBreaker("test:3"), FakeServer()
    server.error = redis.ConnectionError("Error 111 connecting to 127.0.0.1:6391.")
    with pytest.raises(redis.ConnectionError):
        breaker.call(server)

    with pytest.raises(CircuitOpen):
        breaker.call(server)
    assert server.calls == 1


def test_after_the_open_period_one_probe_closes_it(clock):
    breaker, server = CircuitBreaker("test:4"), FakeServer()
    trip(breaker, server)
    clock[0] += OPEN_SECONDS

    assert breaker.call(server) == "PONG"

    assert breaker.closed
    assert [breaker.call(server) for _ in range(3)] == ["PONG"] * 3


def test_a_failed_probe_opens_it_for_another_full_period(clock):
    breaker, server = CircuitBreaker("test:5"), FakeServer()
    trip(breaker, server)
    clock[0] += OPEN_SECONDS
    trip(breaker, server)  # the probe
    clock[0] += OPEN_SECONDS - 0.5

    with pytest.raises(CircuitOpen, match=r"retrying in 1 s"):
        breaker.call(server)
    clock[0] += 0.5
    assert breaker.call(server) == "PONG" and breaker.closed
    assert server.calls == 3  # the trip, the failed probe, the good one


def test_while_one_caller_probes_the_others_keep_being_refused(clock):
    breaker, server = CircuitBreaker("test:6"), FakeServer()
    trip(breaker, server)
    clock[0] += OPEN_SECONDS
    server.hold, server.entered = threading.Event(), threading.Event()

    probe, outcome = in_thread(lambda: breaker.call(server))
    assert server.entered.wait(timeout=10)
    refused = []
    for _ in range(20):
        with pytest.raises(CircuitOpen) as error:
            breaker.call(server)
        refused.append(str(error.value))
    server.hold.set()
    probe.join(timeout=10)

    assert refused == ["circuit open (a probe is under way)"] * 20
    assert outcome == ["PONG"] and breaker.closed
    assert server.calls == 2


def test_a_probe_lost_for_a_whole_period_lets_another_caller_probe(clock):
    breaker, server = CircuitBreaker("test:7"), FakeServer()
    trip(breaker, server)
    clock[0] += OPEN_SECONDS
    server.hold, server.entered = threading.Event(), threading.Event()
    stuck, _ = in_thread(lambda: breaker.call(server))
    assert server.entered.wait(timeout=10)
    clock[0] += OPEN_SECONDS

    other = FakeServer()
    assert breaker.call(other) == "PONG" and breaker.closed
    server.hold.set()
    stuck.join(timeout=10)


def test_only_the_probe_closes_it_not_a_call_sent_before_the_trip(clock):
    breaker, slow, failing = CircuitBreaker("test:8"), FakeServer(), FakeServer()
    slow.hold = threading.Event()
    early, outcome = in_thread(lambda: breaker.call(slow))  # sent while closed
    assert slow.entered.wait(timeout=10)
    trip(breaker, failing)
    slow.hold.set()
    early.join(timeout=10)

    assert outcome == ["PONG"]
    assert not breaker.closed  # a reply to an older command says nothing about now
    with pytest.raises(CircuitOpen):
        breaker.call(failing)


def test_an_error_reply_is_an_answer(clock):
    breaker, server = CircuitBreaker("test:9"), FakeServer()
    server.error = ResponseError("WRONGTYPE Operation against a key holding the wrong kind")
    with pytest.raises(ResponseError):
        breaker.call(server)
    assert breaker.closed

    trip(breaker, server)
    clock[0] += OPEN_SECONDS
    server.error = ResponseError("OOM command not allowed")
    with pytest.raises(ResponseError):
        breaker.call(server)
    assert breaker.closed


def test_a_probe_that_ends_in_an_unrelated_error_lets_the_next_caller_probe(clock):
    breaker, server = CircuitBreaker("test:10"), FakeServer()
    trip(breaker, server)
    clock[0] += OPEN_SECONDS
    server.error = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        breaker.call(server)
    assert not breaker.closed

    server.error = None
    other_thread, outcome = in_thread(lambda: breaker.call(server))
    other_thread.join(timeout=10)
    assert outcome == ["PONG"] and breaker.closed


def test_an_outage_is_logged_in_two_lines_without_tracebacks(clock, caplog):
    breaker, server = CircuitBreaker("10.0.0.7:6379"), FakeServer()
    caplog.set_level(logging.INFO, logger="nexus.redis")

    trip(breaker, server)
    for _ in range(600):  # a busy worker's second of refused commands
        with pytest.raises(CircuitOpen):
            breaker.call(server)
    clock[0] += OPEN_SECONDS
    breaker.call(server)

    messages = [r.getMessage() for r in caplog.records if r.name == "nexus.redis"]
    assert messages == [
        "Redis 10.0.0.7:6379 unavailable: TimeoutError: Timeout reading from socket",
        "Redis 10.0.0.7:6379 recovered after 5.0 s (601 failures)",
    ]
    assert all(record.exc_info is None for record in caplog.records)


# --- Wiring ----------------------------------------------------------------------------------


def redis_caches(base: dict, url: str, ratelimit_db: int = 1) -> dict:
    """The project's Redis caches (settings), moved to the server at `url`."""
    configured = copy.deepcopy(base)
    configured["default"]["LOCATION"] = f"{url}/0"
    configured["ratelimit"]["LOCATION"] = f"{url}/{ratelimit_db}"
    return configured


def project_redis_caches(settings) -> dict:
    if "RedisCache" not in settings.CACHES["default"]["BACKEND"]:
        pytest.skip("needs the Redis caches (REDIS_URL)")
    return settings.CACHES


def test_both_caches_are_built_with_the_breaker_client(settings):
    configured = project_redis_caches(settings)
    for alias in ("default", "ratelimit"):
        options = configured[alias]["OPTIONS"]
        assert options["REDIS_CLIENT_CLASS"] == "nexus_graphql.redis_breaker.BreakerRedis"
    assert settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS is False


def test_caches_on_one_server_share_one_breaker_whatever_their_database(settings):
    options = {"REDIS_CLIENT_CLASS": "nexus_graphql.redis_breaker.BreakerRedis"}
    one, two = free_port(), free_port()  # nothing listens: no connection is made anyway

    def at(location: str) -> dict:
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": options,
        }

    original = settings.CACHES
    settings.CACHES = {
        "default": at(f"redis://127.0.0.1:{one}/0"),
        "ratelimit": at(f"redis://127.0.0.1:{one}/5"),
        "other": at(f"redis://127.0.0.1:{two}/0"),
    }
    try:
        shared = breaker_of(caches["default"])
        assert shared is breaker_of(caches["ratelimit"]) is not None
        assert shared.server == f"127.0.0.1:{one}"
        assert breaker_of(caches["other"]) is not shared
        pipe = caches["ratelimit"].client.get_client(write=True).pipeline(transaction=False)
        assert pipe.breaker is shared
    finally:
        settings.CACHES = original  # the teardown clears the configured caches


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_stopped_server_costs_one_connection_attempt_per_open_period(settings, clock):
    # Nothing listens on the port: each attempt is refused at once; count the attempts.
    port = free_port()
    # Built as django-redis builds it: on a pool (whose connections never retry).
    pool = redis.ConnectionPool(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    client = BreakerRedis(connection_pool=pool)
    attempts = []
    original = socket.socket.connect

    def counting_connect(self, address):
        if address == ("127.0.0.1", port):
            attempts.append(address)
        return original(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", counting_connect)
        with pytest.raises(redis.ConnectionError) as first:
            client.get("key")
        for _ in range(100):
            with pytest.raises(CircuitOpen):
                client.get("key")
        with pytest.raises(CircuitOpen):
            client.pipeline(transaction=False).incrby("key", 1).execute()

    assert not isinstance(first.value, CircuitOpen)
    assert len(attempts) == 1


def test_liveness_does_no_io_in_the_whole_wsgi_cycle(settings, django_db_blocker):
    """/healthz through Django's own handler (signals included), every socket forbidden."""
    settings.TRAFFIC_TRACKING = True
    handler = WSGIHandler()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "SERVER_NAME": "10.1.2.3",
        "SERVER_PORT": "8000",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
        "REMOTE_ADDR": "10.1.2.4",
    }
    statuses = []

    def no_io(*args, **kwargs):
        raise AssertionError("/healthz did network I/O")

    # Django's request_started handler looks at a connection kept from an earlier request
    # (no I/O unless that request failed): allowed, while every socket stays forbidden.
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        for name in ("connect", "connect_ex", "send", "sendall", "recv", "recv_into"):
            patch.setattr(socket.socket, name, no_io)
        body = b"".join(handler(environ, lambda status, headers: statuses.append(status)))

    assert statuses == ["200 OK"]
    assert body == b'{"status": "alive"}'


# --- Real faults on a private redis-server (never the machine's own on 6379) --------------

REDIS_SERVER = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None, reason="needs redis-server on PATH (and REDIS_URL for the caches)"
)
FAULT_SECONDS = 3
SLOW = 0.2  # an operation slower than this waited out a socket timeout (0.5 s)


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--enable-debug-command", "local"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    admin = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            admin.ping()
            return server
        except redis.ConnectionError:
            time.sleep(0.02)
    server.kill()
    pytest.fail("redis-server did not start")


@pytest.fixture
def private_redis(settings):
    """A redis-server of the test's own, the project's caches on it; always stopped after."""
    base = project_redis_caches(settings)
    port = free_port()
    servers = [start_server(port)]
    settings.CACHES = redis_caches(base, f"redis://127.0.0.1:{port}")
    settings.REDIS_BREAKER_OPEN_SECONDS = FAULT_SECONDS + 0.5
    try:
        yield port, servers
    finally:
        settings.CACHES = base  # before the server goes: teardown clears the caches
        for server in servers:
            server.kill()
            server.wait(timeout=10)


def admin(port: int, timeout: float | None = None) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=timeout)


def operation(n: int):
    """The n-th of a mix of what requests do, as they do it: the response cache and the
    blocklist ("default", errors swallowed), the counters and the sign-in guard (fallback)."""
    kind = n % 4
    if kind == 0:
        return cache.set(f"fault:{n}", n, timeout=60)
    if kind == 1:
        return cache.get(f"fault:{n - 1}")
    if kind == 2:
        return ratelimit.add_units([(f"fault:{n}", 1)], 60)
    return ratelimit.counted(lambda counters: counters.get_many([f"fault:{n - 1}"]))  # sign-ins


def timed(operations: int, offset: int = 0) -> list[float]:
    durations = []
    for n in range(offset, offset + operations):
        started = time.perf_counter()
        operation(n)
        durations.append(time.perf_counter() - started)
    return durations


def fault_hang(port, servers):
    # DEBUG SLEEP blocks the server itself; the command answers when it ends.
    sleeper, _ = in_thread(lambda: admin(port).execute_command("DEBUG", "SLEEP", FAULT_SECONDS))
    time.sleep(0.1)
    return sleeper.join


def fault_pause(mode: str):
    def start(port, servers):
        admin(port, timeout=1).execute_command("CLIENT", "PAUSE", FAULT_SECONDS * 1000, mode)
        return lambda timeout: time.sleep(max(0.0, timeout - FAULT_SECONDS + 0.2))

    return start


def fault_shutdown(port, servers):
    with contextlib.suppress(redis.ConnectionError):  # the server hangs up as it goes
        admin(port, timeout=1).shutdown(nosave=True)
    servers[0].wait(timeout=10)
    started = time.monotonic()

    def end(timeout):
        time.sleep(max(0.0, FAULT_SECONDS - (time.monotonic() - started)))
        servers.append(start_server(port))

    return end


FAULTS = {
    "debug-sleep": fault_hang,
    "client-pause-write": fault_pause("WRITE"),
    "client-pause-all": fault_pause("ALL"),
    "shutdown": fault_shutdown,
}


@needs_redis
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_sick_redis_costs_at_most_one_timeout_then_the_breaker_heals(
    private_redis, fault, caplog, capsys
):
    port, servers = private_redis
    breaker = breaker_of(cache)
    assert breaker is breaker_of(caches["ratelimit"])
    timed(8)  # connections made, everything answering
    assert breaker.closed and cache.get("fault:0") == 0
    caplog.set_level(logging.DEBUG)

    end_fault = FAULTS[fault](port, servers)
    started = time.monotonic()
    durations = timed(50)
    during = time.monotonic() - started
    slow = [d for d in durations if d > SLOW]

    assert len(slow) <= 1, durations
    assert during < FAULT_SECONDS  # the 50 operations all ran while the fault lasted
    assert not breaker.closed  # the fault was seen
    with capsys.disabled():
        print(
            f"\n{fault}: {len(slow)} of 50 operations waited "
            f"{', '.join(f'{d:.2f} s' for d in slow) or '-'}; the other {50 - len(slow)} "
            f"at most {max(d for d in durations if d <= SLOW) * 1000:.2f} ms"
        )

    end_fault(timeout=10)
    deadline = time.monotonic() + 3 * FAULT_SECONDS + 5
    while not breaker.closed and time.monotonic() < deadline:
        timed(1, offset=100)
        time.sleep(0.05)

    assert breaker.closed
    assert cache.set("after", "back") is True and cache.get("after") == "back"
    assert ratelimit.add_units([("after", 2)], 60) == [2]
    counters = redis.Redis(host="127.0.0.1", port=port, db=1)
    assert counters.get(caches["ratelimit"].make_key("after")) == b"2"  # on Redis again
    # No traceback anywhere, and the breaker's outage in two lines (down, recovered).
    assert not [r for r in caplog.records if r.exc_info]
    lines = [r.getMessage() for r in caplog.records if r.name == "nexus.redis"]
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"Redis 127.0.0.1:{port} unavailable: ")
    assert lines[1].startswith(f"Redis 127.0.0.1:{port} recovered after ")
