"""Writes of traffic: the request log, blocks, anomaly detection and retention.

Operators act through the admin and management commands, not through the API,
so these services take no viewer; the callers are staff by construction.
"""

import ipaddress
import logging
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hub.errors import ApplicationError, ErrorCode
from traffic.models import BlockedIP, RequestLog, SuspicionReason, SuspiciousIP
from traffic.selectors import address_activity, forget_blocklist, median_volume

logger = logging.getLogger("nexus.traffic")

# Rows deleted per statement by the retention job: short locks, bounded memory.
PURGE_CHUNK = 10_000


class RequestRecord(NamedTuple):
    """One request as the log stores it (RequestLog's columns)."""

    created_at: datetime
    ip: str
    method: str
    path: str
    status: int
    duration_ms: float
    user_id: int | None
    operation_type: str
    operation_name: str
    root_fields: str
    auth_failed: bool


def record_requests(records: list[RequestRecord]) -> None:
    """Store a batch of request logs in multi-row INSERTs.

    Plain SQL rather than bulk_create: at a row per request, the ORM's model
    instances and per-field preparation cost more than the insert itself.
    """
    ops = connection.ops
    table = ops.quote_name(RequestLog._meta.db_table)
    columns = ", ".join(ops.quote_name(name) for name in RequestRecord._fields)
    row = f"({', '.join(['%s'] * len(RequestRecord._fields))})"
    fields = len(RequestRecord._fields)
    per_statement = max(1, (connection.features.max_query_params or 10_000) // fields)
    with connection.cursor() as cursor:
        for start in range(0, len(records), per_statement):
            chunk = records[start : start + per_statement]
            params = []
            for record in chunk:
                params += [ops.adapt_datetimefield_value(record.created_at), *record[1:]]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))}", params
            )


def normalized_ip(ip: str) -> str:
    try:
        return str(ipaddress.ip_address(str(ip).strip()))
    except ValueError:
        raise ApplicationError(ErrorCode.INVALID, f"{ip!r} is not an IP address.", "ip") from None


def block_ip(*, ip: str, reason: str = "", expires_at: datetime | None = None) -> BlockedIP:
    """Block an address (or change an existing block's reason and end)."""
    ip = normalized_ip(ip)
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(ErrorCode.INVALID, "The block must end in the future.", "expires")
    if len(reason) > BlockedIP._meta.get_field("reason").max_length:
        raise ApplicationError(ErrorCode.TOO_LONG, "The reason is over 200 characters.", "reason")
    with transaction.atomic():
        blocked, _ = BlockedIP.objects.update_or_create(
            ip=ip, defaults={"reason": reason, "expires_at": expires_at}
        )
        transaction.on_commit(forget_blocklist)
    logger.warning("blocked %s until %s: %s", ip, expires_at or "unblocked", reason or "-")
    return blocked


def unblock_ip(*, ip: str) -> bool:
    """Lift a block. False when the address was not blocked."""
    ip = normalized_ip(ip)
    with transaction.atomic():
        deleted, _ = BlockedIP.objects.filter(ip=ip).delete()
        transaction.on_commit(forget_blocklist)
    if deleted:
        logger.warning("unblocked %s", ip)
    return bool(deleted)


def unblock_ips(*, ips: list[str]) -> int:
    with transaction.atomic():
        deleted, _ = BlockedIP.objects.filter(ip__in=[normalized_ip(ip) for ip in ips]).delete()
        transaction.on_commit(forget_blocklist)
    return deleted


def detect_anomalies(*, now: datetime | None = None) -> list[SuspiciousIP]:
    """Flag addresses with abnormal volume or repeated authentication failures.

    Looks at the last TRAFFIC_ANOMALIES["window_minutes"] of the request log.
    Volume is abnormal at `volume_min` requests or more when that is also
    `volume_factor` times the median address's volume; authentication failures
    at `auth_failures` or more. Each flagged address and reason is one
    SuspiciousIP row, refreshed by later runs. Nothing is blocked here: an
    operator decides (admin action "Block").
    """
    config = settings.TRAFFIC_ANOMALIES
    until = now or timezone.now()
    since = until - timedelta(minutes=config["window_minutes"])
    activity = address_activity(since=since, until=until)
    volume_floor = max(config["volume_min"], config["volume_factor"] * median_volume(activity))

    flagged = []
    for address in activity:
        reasons = []
        if address.requests >= volume_floor:
            reasons.append(SuspicionReason.VOLUME)
        if address.auth_failures >= config["auth_failures"]:
            reasons.append(SuspicionReason.AUTH_FAILURES)
        flagged += [
            SuspiciousIP(
                ip=address.ip,
                reason=reason,
                request_count=address.requests,
                auth_failure_count=address.auth_failures,
                window_start=since,
                window_end=until,
                first_detected_at=until,
                last_detected_at=until,
            )
            for reason in reasons
        ]
    if flagged:
        # One upsert; first_detected_at keeps the first run's time.
        SuspiciousIP.objects.bulk_create(
            flagged,
            update_conflicts=True,
            unique_fields=["ip", "reason"],
            update_fields=[
                "request_count",
                "auth_failure_count",
                "window_start",
                "window_end",
                "last_detected_at",
            ],
        )
        for suspect in flagged:
            logger.warning(
                "suspicious address %s (%s): %d requests, %d auth failures in %d minutes",
                suspect.ip,
                suspect.reason,
                suspect.request_count,
                suspect.auth_failure_count,
                config["window_minutes"],
            )
    return flagged


def purge_request_logs(*, older_than_days: int | None = None, now: datetime | None = None) -> int:
    """Delete request logs older than the given days (REQUEST_LOG_RETENTION_DAYS); how many."""
    if older_than_days is None:
        older_than_days = settings.REQUEST_LOG_RETENTION_DAYS
    if older_than_days < 1:
        raise ApplicationError(ErrorCode.INVALID, "Keep at least one day of logs.", "days")
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    old = RequestLog.objects.filter(created_at__lt=cutoff)
    purged = 0
    while True:
        chunk = list(old.order_by("id").values_list("id", flat=True)[:PURGE_CHUNK])
        if not chunk:
            return purged
        purged += RequestLog.objects.filter(id__in=chunk).delete()[0]
