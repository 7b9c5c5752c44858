"""Background jobs (Celery). Each calls one hub service, which holds the rules.

Every task may run twice (retries, redelivery after a worker dies: acks are late)
without doing its work twice: emails go through the outbox with a guarantee per kind
(hub.services.notifications). Email tasks do not retry by themselves: a failed try is
recorded and the outbox sweep tries again when it is due. The other jobs retry transient
failures (network, database) with exponential backoff and jitter: TRANSIENT_RETRY, which
the traffic app's jobs (traffic.tasks) use too.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from hub.services import notifications, reports

TRANSIENT_RETRY = {
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


@shared_task(**TRANSIENT_RETRY)
def send_weekly_digest() -> int:
    return reports.send_weekly_digest()
