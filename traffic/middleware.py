"""The traffic middleware: the address blocklist and the request log.

TrafficMiddleware runs first (nexus_graphql.settings.MIDDLEWARE): a blocked address gets
its 403 before sessions, auth or GraphQL do any work. Every request (blocked ones too)
leaves a RequestLog row: address, method, path, status, duration, user, and the GraphQL
operation the view noted on the request (nexus_graphql.ratelimit.Operation).
Rows are buffered per process and written in one INSERT every
REQUEST_LOG_BATCH_SIZE requests or REQUEST_LOG_FLUSH_SECONDS, by whichever
request crosses the line, and at exit; a failed write drops its batch with a
warning rather than failing a request. A crash loses at most one buffer.
"""

import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

from nexus_graphql.client_ip import check_proxy_settings, client_ip
from nexus_graphql.responses import error_response
from traffic.selectors import is_blocked
from traffic.services import RequestRecord, record_requests

logger = logging.getLogger("nexus.traffic")


class RequestLogBuffer:
    def __init__(self):
        self._entries: list[RequestRecord] = []
        self._first_at = 0.0
        self._lock = threading.Lock()

    def add(self, entry: RequestRecord) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._entries:
                self._first_at = now
            self._entries.append(entry)
            if (
                len(self._entries) < settings.REQUEST_LOG_BATCH_SIZE
                and now - self._first_at < settings.REQUEST_LOG_FLUSH_SECONDS
            ):
                return
            batch, self._entries = self._entries, []
        if settings.REQUEST_LOG_BACKGROUND_WRITES:
            # No request waits for the log: the batch is written beside the next ones.
            threading.Thread(target=self._write_and_close, args=(batch,), daemon=True).start()
        else:
            self._write(batch)

    def _write_and_close(self, batch: list[RequestRecord]) -> None:
        try:
            self._write(batch)
        finally:
            connection.close()  # this thread's own database connection

    def flush(self) -> None:
        with self._lock:
            batch, self._entries = self._entries, []
        if batch:
            self._write(batch)

    def discard(self) -> None:
        with self._lock:
            self._entries = []

    @staticmethod
    def _write(batch: list[RequestRecord]) -> None:
        try:
            record_requests(batch)
        except Exception:
            logger.warning("dropped %d request log entries", len(batch), exc_info=True)


request_log = RequestLogBuffer()
atexit.register(request_log.flush)


def refusal_if_blocked(ip: str) -> JsonResponse | None:
    """The 403 a blocked address gets, whatever it asks for; None for anyone else."""
    if is_blocked(ip):
        return error_response("Requests from this address are blocked.", "IP_BLOCKED", 403)
    return None


class TrafficMiddleware:
    """Refuses blocked addresses on every path that reaches it (all but the probes and
    /metrics, answered before it by nexus_graphql.health with the same refusal); no
    middleware before it serves anything (static files come after it, from WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response
        check_proxy_settings()  # a bad TRUSTED_PROXIES fails at start, not on every request

    def __call__(self, request):
        if not settings.TRAFFIC_TRACKING:
            return self.get_response(request)
        started = time.perf_counter()
        ip = client_ip(request)
        response = refusal_if_blocked(ip)
        if response is None:
            response = self.get_response(request)
        request_log.add(_entry(request, response, ip, started))
        return response


def _entry(request, response, ip: str, started: float) -> RequestRecord:
    operation = getattr(request, "graphql_operation", None)
    return RequestRecord(
        created_at=timezone.now(),
        ip=ip,
        method=request.method[:8],
        path=request.path[:200],
        status=response.status_code,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        user_id=_user_id(request),
        operation_type=operation.type if operation else "",
        operation_name=operation.name[:100] if operation else "",
        root_fields=",".join(operation.root_fields)[:200] if operation else "",
        auth_failed=getattr(request, "auth_failed", False),
    )


def _user_id(request) -> int | None:
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None  # never resolved by the request: no query for logging's sake
    return user.pk if user.is_authenticated else None


def note_auth_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """django's user_login_failed (tokenAuth calls authenticate()): mark the request."""
    if request is not None:
        request.auth_failed = True
