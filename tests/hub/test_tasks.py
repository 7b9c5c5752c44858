"""hub.tasks: the email tasks send through the outbox (hub.services.notifications)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hub.models import SentEmail
from hub.models.notifications import EmailKind
from hub.services import notifications
from hub.tasks import deliver_email, sweep_outbox

pytestmark = pytest.mark.django_db


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
