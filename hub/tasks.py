"""Background jobs (Celery). Each calls one hub service, which holds the rules.

Every task may run twice (retries, redelivery after a worker dies: acks are late)
without doing its work twice: emails go through the outbox with a guarantee per kind
(hub.services.notifications), anomaly flags are upserts, the purge deletes what is
old. Email tasks do not retry by themselves: a failed try is recorded and the outbox
sweep tries again when it is due. The other jobs retry transient failures (network,
database) with exponential backoff and jitter.
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from hub.services import notifications, reports
from traffic import services as traffic

_RETRIED = {
    "autoretry_for": (OSError, OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task
def deliver_email(email_id: int) -> str:
    """Send one outbox email, queued when the write it is about committed."""
    return notifications.deliver_email(email_id).value


@shared_task
def sweep_outbox() -> int:
    """Send the emails still pending past their due time (Celery beat, every minute)."""
    return notifications.sweep_pending_emails()


@shared_task(**_RETRIED)
def send_weekly_digest() -> int:
    return reports.send_weekly_digest()


@shared_task(**_RETRIED)
def detect_traffic_anomalies() -> int:
    return len(traffic.detect_anomalies())


@shared_task(**_RETRIED)
def purge_request_logs() -> int:
    return traffic.purge_request_logs(older_than_days=settings.REQUEST_LOG_RETENTION_DAYS)
