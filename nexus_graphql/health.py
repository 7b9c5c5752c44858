"""What the platform calls: probes for orchestrators, and the Prometheus scrape.

/healthz: the process is alive and answering (no I/O at all: a slow database or cache
must not get pods killed). /readyz: the database, the cache, the broker and the channel
layer answer (READINESS_CHECKS); 503 with the ones that failed otherwise, so traffic goes to other
pods meanwhile. /metrics: the Prometheus exporter, for a token or an allowed network
(nexus_graphql.metrics).

/readyz serves a result at most READINESS_CACHE_SECONDS (1 s) old, computed at most once
per interval per process: a caller that finds it stale runs the checks while the callers
behind it wait for that result instead of running their own. The checks run side by
side, each in its own thread, and each is given READINESS_CHECK_TIMEOUT_SECONDS: one that
hangs is reported as timed out, so /readyz answers within a second whatever hangs, and a
check still hanging is not started again until it returns (no pile of stuck threads).
While the Redis breaker is open (nexus_graphql.redis_breaker) the cache check reports it,
e.g. "failed: circuit open (retrying in 3 s)", without touching Redis. Failures are logged
a few lines per outage (nexus_graphql.outages), each named in the answer.

A middleware placed first answers all three, before host checks, HTTPS redirects,
traffic logging and rate limits: kubelets and Prometheus call a pod by its IP over HTTP.
None of them is routed by the Ingress (deploy/k8s). A blocked address is refused on
/readyz and /metrics as everywhere else; /healthz answers anyone, because reading the
blocklist is I/O (the cache, the database) and liveness must do none.
"""

import asyncio
import logging
import threading
import time
import uuid
from typing import NamedTuple

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver
from django.http import JsonResponse

from nexus_graphql import metrics
from nexus_graphql.celery import app as celery_app
from nexus_graphql.client_ip import client_ip
from nexus_graphql.outages import Outage
from nexus_graphql.redis_breaker import CircuitOpen, breaker_of
from traffic.middleware import refusal_if_blocked

logger = logging.getLogger("nexus.health")

OK = "ok"
IN_PROCESS = "in-process"
TIMED_OUT = "failed: Timeout"


def liveness(request) -> JsonResponse:
    return _answer({"status": "alive"}, 200)


def readiness(request) -> JsonResponse:
    result = readiness_checks.current()
    return _answer(result.body, result.status)


def _database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _cache() -> str:
    # While its breaker refuses, the cache would answer misses: say why, send nothing.
    breaker = breaker_of(cache)
    if breaker is not None and (refusal := breaker.refusal()) is not None:
        raise refusal
    # The Redis cache swallows its errors (a cache outage degrades, see settings):
    # only a value read back proves it answers.
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    stored = cache.get(key)
    cache.delete(key)
    if stored != value:
        # Failing just now opened the breaker: its message names the outage.
        refusal = breaker.refusal() if breaker is not None else None
        raise refusal or ConnectionError("a value written to the cache could not be read back")
    return OK


def _broker() -> str:
    if celery_app.conf.task_always_eager:
        return IN_PROCESS  # no broker configured: tasks run in the web process
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0)
    return OK


def _channel_layer() -> str:
    """The layer subscriptions' events travel on: a message sent to this check's own
    channel comes back (in-process when no Redis is configured)."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return IN_PROCESS
    return async_to_sync(_channel_round_trip)(layer)


async def _channel_round_trip(layer) -> str:
    channel = await layer.new_channel("readyz.")
    await layer.send(channel, {"type": "readyz"})
    timeout = settings.READINESS_CHECK_TIMEOUT_SECONDS
    if (await asyncio.wait_for(layer.receive(channel), timeout)).get("type") != "readyz":
        raise ConnectionError("the channel layer answered something else")
    return OK


CHECKS = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "channel_layer": _channel_layer,
}
_OUTAGES = {name: Outage(logger, f"readiness check {name}") for name in CHECKS}


class ReadinessResult(NamedTuple):
    configuration: tuple  # what was checked (see _configuration)
    checked_at: float  # the clock when the checks started: the result is this old
    body: dict
    status: int


class _Run:
    """One check in its own thread; `done` is set when it has returned or raised."""

    def __init__(self, name: str, check):
        self.name, self.done = name, threading.Event()
        self.outcome: str | None = None
        self.error: BaseException | None = None
        threading.Thread(
            target=self._run, args=(check,), name=f"readyz-{name}", daemon=True
        ).start()

    def _run(self, check) -> None:
        try:
            self.outcome = check()
        except Exception as error:
            self.error = error
        finally:
            connections.close_all()  # this thread's own connections, never reused
            self.done.set()


class Readiness:
    """The result of the readiness checks, at most READINESS_CACHE_SECONDS old."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._result: ReadinessResult | None = None
        self._running: dict[str, _Run] = {}

    def current(self) -> ReadinessResult:
        configuration = _configuration()
        result = self._result
        if self._fresh(result, configuration):
            return result
        with self._lock:
            result = self._result  # a caller ahead of this one may have refreshed it
            if self._fresh(result, configuration):
                return result
            started = self._clock()
            body, status = self._check(configuration[0])
            self._result = ReadinessResult(configuration, started, body, status)
            return self._result

    def forget(self) -> None:
        with self._lock:
            self._result = None

    def _fresh(self, result: ReadinessResult | None, configuration: tuple) -> bool:
        return (
            result is not None
            and result.configuration == configuration
            and self._clock() - result.checked_at < settings.READINESS_CACHE_SECONDS
        )

    def _check(self, names: tuple[str, ...]) -> tuple[dict, int]:
        runs = [self._start(name) for name in names]
        started = time.monotonic()
        deadline = started + settings.READINESS_CHECK_TIMEOUT_SECONDS
        checks, failed = {}, []
        for run in runs:
            outage = _OUTAGES[run.name]
            if not run.done.wait(max(0.0, deadline - time.monotonic())):
                outage.failed(TimeoutError(f"no answer in {deadline - started:.1f} s"))
                checks[run.name] = TIMED_OUT
                failed.append(run.name)
            elif run.error is not None:
                outage.failed(run.error)
                checks[run.name] = _failure(run.error)
                failed.append(run.name)
            else:
                outage.succeeded()
                checks[run.name] = run.outcome
        body = {"status": "unavailable" if failed else "ready", "checks": checks, "failed": failed}
        return body, 503 if failed else 200

    def _start(self, name: str) -> _Run:
        running = self._running.get(name)
        if running is not None and not running.done.is_set():
            return running  # still hanging since an earlier refresh: wait for that one
        self._running[name] = run = _Run(name, CHECKS[name])
        return run


def _failure(error: BaseException) -> str:
    # The class only: messages can carry hosts and addresses (they go to the logs). The
    # breaker's own message says nothing but how long until it retries.
    if isinstance(error, CircuitOpen):
        return f"failed: {error}"
    return f"failed: {type(error).__name__}"


def _configuration() -> tuple:
    # A result answers for what it checked: the checks asked for, and the broker they reach.
    return (
        tuple(settings.READINESS_CHECKS),
        celery_app.conf.task_always_eager,
        celery_app.conf.broker_url,
    )


readiness_checks = Readiness()


@receiver(setting_changed)
def _settings_changed(setting, **kwargs) -> None:
    # The checks read the databases, the caches and the readiness settings.
    if setting in ("DATABASES", "CACHES") or setting.startswith("READINESS_"):
        readiness_checks.forget()


def _answer(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


_PROBES = {
    "/readyz": readiness,
    "/readyz/": readiness,
    "/metrics": metrics.export,
}
LIVENESS_PATHS = ("/healthz", "/healthz/")
PATHS = (*LIVENESS_PATHS, *_PROBES)


class ProbesAndMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path in LIVENESS_PATHS:
            return liveness(request)
        endpoint = _PROBES.get(path)
        if endpoint is None:
            return self.get_response(request)
        if settings.TRAFFIC_TRACKING:
            refused = refusal_if_blocked(client_ip(request))
            if refused is not None:
                return refused
        return endpoint(request)
