"""Reads of traffic: the blocklist every request consults, per-address counts for anomalies.

The blocklist is read on every request, so it is held twice: in the shared
cache (one entry, all workers) and in a process-local copy refreshed every
BLOCKLIST_REFRESH_SECONDS. A block or unblock drops both (traffic.services),
so it takes effect at once in the process that made it and within the
refresh interval everywhere else. If neither the cache nor the database
answers, the last known list stays in force: requests are never refused, nor
errors raised, because the blocklist could not be read. Redis outages are logged by
its breaker (nexus_graphql.redis_breaker; the cache answers a miss meanwhile), anything
else that fails here in a few lines per outage (nexus_graphql.outages).
"""

import logging
import statistics
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, Q
from django.utils import timezone

from nexus_graphql.outages import Outage
from traffic.models import BlockedIP, RequestLog

logger = logging.getLogger("nexus.traffic")

BLOCKLIST_KEY = "hub:blocklist"
# The shared copy's lifetime: bounds staleness where the cache is per process (no Redis).
BLOCKLIST_CACHE_SECONDS = 60
_cache_outage = Outage(logger, "blocklist cache")
_database_outage = Outage(logger, "blocklist database")


@dataclass(frozen=True)
class _Snapshot:
    entries: dict  # address -> expiry as epoch seconds, or None for a block without end
    loaded_at: float  # time.monotonic()


_snapshot = _Snapshot({}, float("-inf"))


def is_blocked(ip: str) -> bool:
    entries = _blocklist()
    if ip not in entries:
        return False
    expires = entries[ip]
    return expires is None or expires > time.time()


def forget_blocklist() -> None:
    """Drop both copies; the next request reads the database."""
    global _snapshot
    _snapshot = _Snapshot({}, float("-inf"))
    try:
        cache.delete(BLOCKLIST_KEY)
    except Exception as error:
        _cache_outage.failed(error)


def _blocklist() -> dict:
    global _snapshot
    now = time.monotonic()
    if now - _snapshot.loaded_at < settings.BLOCKLIST_REFRESH_SECONDS:
        return _snapshot.entries
    entries = _from_cache()
    if entries is None:
        entries = _from_database()
        if entries is None:  # database down: keep the last list, try again next interval
            entries = _snapshot.entries
        else:
            _to_cache(entries)
    _snapshot = _Snapshot(entries, now)
    return entries


def _from_cache() -> dict | None:
    try:
        entries = cache.get(BLOCKLIST_KEY)
    except Exception as error:
        _cache_outage.failed(error)
        return None
    _cache_outage.succeeded()
    return entries


def _to_cache(entries: dict) -> None:
    try:
        cache.set(BLOCKLIST_KEY, entries, timeout=BLOCKLIST_CACHE_SECONDS)
    except Exception as error:
        _cache_outage.failed(error)


def _from_database() -> dict | None:
    try:
        rows = BlockedIP.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        ).values_list("ip", "expires_at")
        entries = {ip: expires.timestamp() if expires else None for ip, expires in rows}
    except DatabaseError as error:
        _database_outage.failed(error)
        return None
    _database_outage.succeeded()
    return entries


@dataclass(frozen=True)
class AddressActivity:
    ip: str
    requests: int
    auth_failures: int


def address_activity(*, since: datetime, until: datetime) -> list[AddressActivity]:
    """Requests and authentication failures (failed sign-ins, refused tokens) per address."""
    rows = (
        RequestLog.objects.filter(created_at__gte=since, created_at__lt=until)
        .values("ip")
        .annotate(
            requests=Count("id"),
            auth_failures=Count("id", filter=Q(auth_failed=True) | Q(status=401)),
        )
        .order_by()
    )
    return [AddressActivity(r["ip"], r["requests"], r["auth_failures"]) for r in rows]


def median_volume(activity: list[AddressActivity]) -> float:
    return statistics.median(a.requests for a in activity) if activity else 0.0
