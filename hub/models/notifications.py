from django.db import models
from django.utils import timezone


class SentEmail(models.Model):
    """An email the hub sent, under a key naming what it was about.

    The key is unique: a retried or duplicated task finds its email already
    sent and sends nothing (hub.services.notifications).
    """

    key = models.CharField(max_length=300, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.key} to {self.recipient}"
