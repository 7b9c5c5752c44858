"""One circuit breaker per Redis server, in front of every command any cache sends it.

A sick Redis (hanging, paused, stopped) must cost a worker at most one short socket
timeout per open period, not one per command: the response cache, the blocklist, the
rate-limit counters and the sign-in guard each talk to it several times a request.

Where: `BreakerRedis`, the redis-py client class django-redis builds for both caches
(OPTIONS["REDIS_CLIENT_CLASS"] in settings). Every command of every django-redis method
goes through its `execute_command`, and pipelines (nexus_graphql.ratelimit's raw one)
through `BreakerPipeline.execute`, so nothing that reaches Redis bypasses the breaker and
no list of django-redis methods has to be kept. The breaker is keyed by the server
(host:port, or the socket path), whatever the database number: "default" and "ratelimit"
on one server share it.

States: closed, every command goes through. A ConnectionError or TimeoutError (refused,
reset, socket timeout) opens it for REDIS_BREAKER_OPEN_SECONDS: commands are refused at
once with `CircuitOpen` (a redis ConnectionError, so django-redis turns it into
ConnectionInterrupted: the "default" cache answers a miss, the counters fall back to
per-process ones). After that period the first caller probes (half-open) while the others
keep being refused; the probe's success closes the breaker, its failure opens it again.
Any answer from the server counts as success, a ResponseError too: the server is there.
The outage is logged through nexus_graphql.outages (a few lines, not one per command).
"""

import logging
import math
import threading
import time

from django.conf import settings
from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from nexus_graphql.outages import Outage

logger = logging.getLogger("nexus.redis")

_clock = time.monotonic  # replaceable in tests
# What says the server is not answering; OSError in case a socket error escapes redis-py.
FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class CircuitOpen(RedisConnectionError):
    """Refused without any I/O: the server failed recently (or another caller is probing)."""


class CircuitBreaker:
    def __init__(self, server: str):
        self.server = server
        self.outage = Outage(logger, f"Redis {server}")
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed
        self._prober: int | None = None  # the thread allowed through while half-open
        self._probe_started = 0.0
        self._inside = threading.local()  # a call running on this thread (no double count)

    @property
    def closed(self) -> bool:
        return self._open_until is None

    def refusal(self) -> CircuitOpen | None:
        """Why this thread's next call would be refused, or None; changes nothing."""
        with self._lock:
            return self._refusal(_clock(), threading.get_ident())

    def call(self, operation, *args, **kwargs):
        """Run one command (or pipeline) through the breaker."""
        if getattr(self._inside, "active", False):
            return operation(*args, **kwargs)  # nested in a guarded call: that one counts
        if self._open_until is not None:
            self._enter()
        self._inside.active = True
        try:
            result = operation(*args, **kwargs)
        except FAILURES as error:
            self._failed(error)
            raise
        except RedisError:
            self._succeeded()  # an error reply is still a reply
            raise
        except BaseException:
            self._release()  # nothing learnt about the server: let another caller probe
            raise
        finally:
            self._inside.active = False
        self._succeeded()
        return result

    def _enter(self) -> None:
        with self._lock:
            now, me = _clock(), threading.get_ident()
            error = self._refusal(now, me)
            if error is None and self._open_until is not None:
                self._prober, self._probe_started = me, now
        if error is not None:
            self.outage.failed(error)
            raise error

    def _refusal(self, now: float, me: int) -> CircuitOpen | None:
        if self._open_until is None:
            return None
        if now < self._open_until:
            wait = math.ceil(self._open_until - now)
            return CircuitOpen(f"circuit open (retrying in {wait} s)")
        # A probe is bounded by the socket timeouts; one older than an open period was lost.
        probing = self._prober not in (None, me)
        if probing and now - self._probe_started < _open_seconds():
            return CircuitOpen("circuit open (a probe is under way)")
        return None

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            self._open_until = _clock() + _open_seconds()
            self._prober = None
        self.outage.failed(error)

    def _succeeded(self) -> None:
        if self._open_until is None:
            return  # closed: the common case costs one attribute read
        with self._lock:
            # Only the probe closes: a command sent before the trip proves nothing now.
            if self._open_until is None or self._prober != threading.get_ident():
                return
            self._open_until = self._prober = None
        self.outage.succeeded()

    def _release(self) -> None:
        if self._prober == threading.get_ident():
            with self._lock:
                if self._prober == threading.get_ident():
                    self._prober = None


def _open_seconds() -> float:
    return settings.REDIS_BREAKER_OPEN_SECONDS


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str) -> CircuitBreaker:
    """The process's one breaker for `server` ("host:port" or a socket path)."""
    breaker = _breakers.get(server)
    if breaker is None:
        with _breakers_lock:
            breaker = _breakers.setdefault(server, CircuitBreaker(server))
    return breaker


def server_of(connection_kwargs: dict) -> str:
    if connection_kwargs.get("path"):
        return connection_kwargs["path"]
    return f"{connection_kwargs.get('host', 'localhost')}:{connection_kwargs.get('port', 6379)}"


def breaker_of(cache) -> CircuitBreaker | None:
    """The breaker in front of a django-redis cache; None for another backend (no I/O)."""
    get_client = getattr(getattr(cache, "client", None), "get_client", None)
    if get_client is None:
        return None
    return getattr(get_client(write=True), "breaker", None)


class BreakerRedis(Redis):
    """redis-py's client with the server's breaker in front of each command and pipeline."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = breaker_for(server_of(self.connection_pool.connection_kwargs))

    def execute_command(self, *args, **options):
        return self.breaker.call(super().execute_command, *args, **options)

    def pipeline(self, transaction=True, shard_hint=None) -> "BreakerPipeline":
        pipe = BreakerPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
        pipe.breaker = self.breaker
        return pipe


class BreakerPipeline(Pipeline):
    """A pipeline is one call: its commands queue locally and go out together on execute()."""

    breaker: CircuitBreaker

    def execute(self, raise_on_error: bool = True):
        return self.breaker.call(super().execute, raise_on_error)

    def immediate_execute_command(self, *args, **options):  # WATCH and what follows it
        return self.breaker.call(super().immediate_execute_command, *args, **options)
