"""Traffic: every request's trace, blocked addresses, addresses that look abusive.

The tables keep the names they had in the hub app (migration hub 0010 and traffic 0001
moved the models without touching the database).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hub.models.choices import choices_check


class RequestLog(models.Model):
    """One HTTP request, written in batches by the traffic middleware.

    `user` keeps no database constraint: a log row must not stop a user's
    deletion, nor cost a cascade over millions of rows.
    """

    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField()
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.FloatField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # one index less to keep up on the busiest table
        related_name="+",
    )
    operation_type = models.CharField(max_length=16, blank=True)
    operation_name = models.CharField(max_length=100, blank=True)
    # Root fields of the operation, comma-separated (e.g. "tokenAuth").
    root_fields = models.CharField(max_length=200, blank=True)
    # Failed sign-in (wrong password) or a refused token: what brute force looks like.
    auth_failed = models.BooleanField(default=False)

    class Meta:
        db_table = "hub_requestlog"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="requestlog_created_idx"),
            models.Index(fields=["ip", "created_at"], name="requestlog_ip_idx"),
        ]

    def __str__(self):
        return f"{self.ip} {self.method} {self.path} {self.status}"


class BlockedIP(models.Model):
    """An address refused with 403 before any other work, until `expires_at` (or for good)."""

    ip = models.GenericIPAddressField(unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "hub_blockedip"
        ordering = ["-created_at"]
        verbose_name = "blocked IP"

    def __str__(self):
        return self.ip

    def is_active(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at > (now or timezone.now())


class SuspicionReason(models.TextChoices):
    VOLUME = "VOLUME", "Abnormal request volume"
    AUTH_FAILURES = "AUTH_FAILURES", "Repeated authentication failures"


class SuspiciousIP(models.Model):
    """An address the anomaly job flagged; one row per address and reason, refreshed each time."""

    ip = models.GenericIPAddressField()
    reason = models.CharField(max_length=16, choices=SuspicionReason.choices)
    # What the latest detection saw in its window.
    request_count = models.PositiveIntegerField(default=0)
    auth_failure_count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    first_detected_at = models.DateTimeField(default=timezone.now)
    last_detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "hub_suspiciousip"
        ordering = ["-last_detected_at"]
        verbose_name = "suspicious IP"
        constraints = [
            models.UniqueConstraint(fields=["ip", "reason"], name="one_suspicion_per_ip_reason"),
            choices_check("reason", SuspicionReason, "suspicion_reason_valid"),
            models.CheckConstraint(
                condition=Q(window_start__lte=models.F("window_end")), name="suspicion_window_valid"
            ),
        ]

    def __str__(self):
        return f"{self.ip} ({self.get_reason_display()})"
