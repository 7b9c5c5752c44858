"""The Celery app: background jobs on RabbitMQ, and their schedule (Celery beat).

Settings are the CELERY_* ones of nexus_graphql.settings. Without
CELERY_BROKER_URL tasks run in-process (`task_always_eager`), so the embedded
default needs no other service. Run with a broker:

    celery -A nexus_graphql worker -l info
    celery -A nexus_graphql beat -l info -s /tmp/celerybeat-schedule

A web request's id travels with the tasks it queues, into the worker's logs. Web
processes queue tasks with `publish`: bounded in time, logged once per broker outage.
"""

import logging
import os
from datetime import timedelta

from celery import Celery, signals
from celery.schedules import crontab
from kombu.exceptions import OperationalError as BrokerError

from nexus_graphql import request_id
from nexus_graphql.outages import Outage

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus_graphql.settings")

app = Celery("nexus_graphql")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs. Each expires before its next run, so a backlog built while no
# worker was up is dropped rather than run all at once.
app.conf.beat_schedule = {
    "weekly-digest": {
        "task": "hub.tasks.send_weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="monday"),
        "options": {"expires": timedelta(days=1).total_seconds()},
    },
    "detect-traffic-anomalies": {
        "task": "traffic.tasks.detect_traffic_anomalies",
        "schedule": timedelta(minutes=5),
        "options": {"expires": timedelta(minutes=5).total_seconds()},
    },
    # Emails whose task was never queued (broker down at commit) or was lost.
    "sweep-email-outbox": {
        "task": "hub.tasks.sweep_outbox",
        "schedule": timedelta(minutes=1),
        "options": {"expires": timedelta(minutes=1).total_seconds()},
    },
    "purge-request-logs": {
        "task": "traffic.tasks.purge_request_logs",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": timedelta(hours=12).total_seconds()},
    },
}

REQUEST_ID_HEADER = "nexus_request_id"

logger = logging.getLogger("nexus.tasks")
_broker_outage = Outage(logger, "Broker (queueing tasks)")


def publish(task, *args) -> bool:
    """Queue `task(*args)` for a worker; False when the broker could not take it.

    Bounded by CELERY_BROKER_CONNECTION_TIMEOUT and CELERY_TASK_PUBLISH_RETRY_POLICY,
    because a request waits for it. Callers keep what the task is for in the database
    (the email outbox, swept every minute), so a failure only delays the work: it is
    logged through an Outage, a few lines per outage rather than one per write. Without
    a broker the task runs here, once, without retries.
    """
    if app.conf.task_always_eager:
        task.apply(args, retries=task.max_retries)
        return True
    try:
        task.apply_async(args)
    except (BrokerError, OSError) as error:
        _broker_outage.failed(error)
        return False
    _broker_outage.succeeded()
    return True


@signals.worker_init.connect
@signals.beat_init.connect
def _require_broker(**kwargs):
    if app.conf.task_always_eager:
        raise SystemExit("Set CELERY_BROKER_URL: without a broker, tasks run in the web process.")


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs):
    current = request_id.current()
    if current and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, current)


@signals.task_prerun.connect
def _adopt_request_id(task=None, **kwargs):
    # Eager tasks run inside the request, which already has its id bound.
    if task is not None and not task.request.is_eager:
        request_id.bind(getattr(task.request, REQUEST_ID_HEADER, None))


@signals.task_postrun.connect
def _drop_request_id(task=None, **kwargs):
    if task is not None and not task.request.is_eager:
        request_id.bind(None)
