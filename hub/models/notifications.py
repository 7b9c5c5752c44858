from django.db import models
from django.db.models import Q
from django.utils import timezone

from hub.models.choices import choices_check


class EmailKind(models.TextChoices):
    SOLUTION_SUBMITTED = "solution-submitted", "New answer to one's challenge"
    SOLUTION_ACCEPTED = "solution-accepted", "One's answer accepted"
    WEEKLY_DIGEST = "weekly-digest", "Weekly digest"


class EmailState(models.TextChoices):
    PENDING = "pending", "Pending"  # to be sent (by its task, or by the sweep once due)
    SENDING = "sending", "Sending"  # at-most-once only: claimed; if it stays, outcome unknown
    SENT = "sent", "Sent"  # the mail server accepted it
    CANCELLED = "cancelled", "Cancelled"  # nothing left to tell by the time it was sent
    FAILED = "failed", "Failed"  # gave up after EMAIL_MAX_ATTEMPTS refused or failed tries


class SentEmail(models.Model):
    """The hub's outbox: one row per email, under a key naming what it is about.

    The row is written in the transaction of the write the email is about, so a
    committed write always has its email, whatever the broker does; tasks and the
    sweep send it (hub.services.notifications, which says per kind what a crash
    at each point costs). The key is unique: one email per event.
    """

    kind = models.CharField(max_length=40, choices=EmailKind.choices)
    key = models.CharField(max_length=300, unique=True)
    # The row the email is about (a solution), read again when sending; none for digests.
    object_id = models.BigIntegerField(null=True, blank=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # The same on every copy sent, so receivers can drop repeats.
    message_id = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the sweep sends a pending email its task did not (grace, then backoff).
    due_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep reads only pending rows, by due time.
            models.Index(
                fields=["due_at"], condition=Q(state="pending"), name="sentemail_pending_due"
            ),
        ]
        constraints = [
            choices_check("kind", EmailKind, "sentemail_kind_valid"),
            choices_check("state", EmailState, "sentemail_state_valid"),
        ]

    def __str__(self):
        return f"{self.key} to {self.recipient} ({self.state})"
