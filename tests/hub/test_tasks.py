"""hub.tasks: the scheduled traffic jobs run the hardening services (hub.services.traffic);
the email tasks send through the outbox (hub.services.notifications)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hub.models import SentEmail
from hub.models.notifications import EmailKind
from hub.services import notifications
from hub.tasks import deliver_email, detect_traffic_anomalies, purge_request_logs, sweep_outbox
from traffic.models import RequestLog, SuspicionReason, SuspiciousIP

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


def test_the_outbox_sweep_job_sends_the_emails_past_their_due_time():
    due, later = (
        notifications.queue_email(
            kind=EmailKind.WEEKLY_DIGEST,
            key=f"weekly-digest:2026-11-23:{address}",
            draft=notifications.Draft.of(address, "Digest", "New challenges: 0"),
        )[0]
        for address in ("due@example.com", "later@example.com")
    )
    SentEmail.objects.filter(pk=due.pk).update(due_at=timezone.now() - timedelta(seconds=1))

    assert sweep_outbox.apply().get() == 1
    assert [email.to for email in mail.outbox] == [["due@example.com"]]
    assert deliver_email.apply(args=[later.pk]).get() == "sent"
    assert deliver_email.apply(args=[later.pk]).get() == "skipped"
