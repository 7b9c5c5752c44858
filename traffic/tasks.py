"""The traffic app's scheduled jobs (Celery beat, nexus_graphql.celery): each calls one
traffic service. Flags are upserts and the purge deletes what is old, so a job that runs
twice (acks are late) does no harm."""

from celery import shared_task
from django.conf import settings

from hub.tasks import TRANSIENT_RETRY
from traffic import services as traffic


@shared_task(**TRANSIENT_RETRY)
def detect_traffic_anomalies() -> int:
    return len(traffic.detect_anomalies())


@shared_task(**TRANSIENT_RETRY)
def purge_request_logs() -> int:
    return traffic.purge_request_logs(older_than_days=settings.REQUEST_LOG_RETENTION_DAYS)
