"""Background jobs (Celery). Each calls one hub service, which holds the rules.

Every task may run twice (retries, redelivery after a worker dies: acks are
late) without doing its work twice: emails are recorded under unique keys
(hub.services.notifications.send_once), anomaly flags are upserts, the purge
deletes what is old. Transient failures (mail server, network, database) are
retried with exponential backoff and jitter.
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from hub.services import notifications, reports, traffic

# OSError covers SMTP errors, refused connections and timeouts.
_RETRIED = {
    "autoretry_for": (OSError, OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**_RETRIED)
def notify_solution_submitted(solution_id: int) -> bool:
    return notifications.send_solution_submitted(solution_id)


@shared_task(**_RETRIED)
def notify_solution_accepted(solution_id: int, accepted_by_id: int) -> bool:
    return notifications.send_solution_accepted(solution_id, accepted_by_id)


@shared_task(**_RETRIED)
def send_weekly_digest() -> int:
    return reports.send_weekly_digest()


@shared_task(**_RETRIED)
def detect_traffic_anomalies() -> int:
    return len(traffic.detect_anomalies())


@shared_task(**_RETRIED)
def purge_request_logs() -> int:
    return traffic.purge_request_logs(older_than_days=settings.REQUEST_LOG_RETENTION_DAYS)
