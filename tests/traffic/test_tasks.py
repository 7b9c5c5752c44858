"""traffic.tasks: the scheduled traffic jobs run the traffic services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from traffic.models import RequestLog, SuspicionReason, SuspiciousIP
from traffic.tasks import detect_traffic_anomalies, purge_request_logs

pytestmark = pytest.mark.django_db


def log_requests(count: int, *, ip="203.0.113.7", age=timedelta(0), **fields):
    RequestLog.objects.bulk_create(
        RequestLog(
            created_at=timezone.now() - age,
            ip=ip,
            method="POST",
            path="/graphql/",
            status=200,
            duration_ms=3.0,
            **fields,
        )
        for _ in range(count)
    )


def test_the_retention_job_keeps_the_configured_days_of_request_logs(settings):
    settings.REQUEST_LOG_RETENTION_DAYS = 30
    log_requests(3, age=timedelta(days=31))
    log_requests(2, age=timedelta(days=29))

    assert purge_request_logs.apply().get() == 3
    assert RequestLog.objects.count() == 2


def test_the_anomaly_job_flags_repeated_sign_in_failures(settings):
    settings.TRAFFIC_ANOMALIES = {**settings.TRAFFIC_ANOMALIES, "auth_failures": 5}
    log_requests(5, auth_failed=True)
    log_requests(4, ip="198.51.100.1", auth_failed=True)

    assert detect_traffic_anomalies.apply().get() == 1
    suspect = SuspiciousIP.objects.get()
    assert (suspect.ip, suspect.reason) == ("203.0.113.7", SuspicionReason.AUTH_FAILURES)
