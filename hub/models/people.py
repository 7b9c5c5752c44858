from django.conf import settings
from django.db import models
from django.utils import timezone

from hub.models.choices import Track, choices_check


class Contributor(models.Model):
    """The public profile of a user of the hub (1:1 with Django's user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor"
    )
    display_name = models.CharField(max_length=80, blank=True)
    track = models.CharField(max_length=16, choices=Track.choices, default=Track.BACKEND)
    bio = models.TextField(blank=True, max_length=2000)
    discord_handle = models.CharField(max_length=64, blank=True)
    joined_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Kept by the vote and accept services with atomic F() updates; the rule is
    # hub.services.reputation (+10 per upvote, -2 per downvote, +15 per accepted answer).
    reputation = models.IntegerField(default=0)

    class Meta:
        ordering = ["user__username"]
        constraints = [choices_check("track", Track, "contributor_track_valid")]

    def __str__(self):
        return self.display_name or self.user.get_username()

    @property
    def username(self) -> str:
        return self.user.get_username()
