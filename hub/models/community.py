from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hub.markdown import render_markdown
from hub.models.choices import ContentStatus, choices_check


class Vote(models.Model):
    """One contributor's vote on one solution; the solution's score is their sum."""

    UP, DOWN = 1, -1

    solution = models.ForeignKey("hub.Solution", on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey("hub.Contributor", on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["solution", "voter"], name="one_vote_per_voter"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_valid"),
        ]
        indexes = [models.Index(fields=["voter", "solution"], name="vote_voter_idx")]

    def __str__(self):
        return f"{self.voter_id} {'+' if self.value > 0 else '-'}1 on {self.solution_id}"


class Comment(models.Model):
    """A comment on a challenge or a solution; replies thread to any depth.

    Every comment of a thread carries its root target, so a whole thread loads
    in one query and is assembled in memory.
    """

    challenge = models.ForeignKey(
        "hub.Challenge", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    solution = models.ForeignKey(
        "hub.Solution", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        "hub.Contributor", null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(challenge__isnull=False) & Q(solution__isnull=True))
                | (Q(challenge__isnull=True) & Q(solution__isnull=False)),
                name="comment_has_one_target",
            ),
            choices_check("status", ContentStatus, "comment_status_valid"),
        ]
        indexes = [
            models.Index(fields=["challenge", "created_at"], name="comment_challenge_idx"),
            models.Index(fields=["solution", "created_at"], name="comment_solution_idx"),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_id}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class Revision(models.Model):
    """The text of a challenge, solution or learning before one edit."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    editor = models.ForeignKey(
        "hub.Contributor", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="revision_target_idx"
            )
        ]

    def __str__(self):
        return f"Revision {self.pk} of {self.content_type.model} {self.object_id}"


class ModerationActionKind(models.TextChoices):
    PUBLISH = "PUBLISH", "Publish"
    REJECT = "REJECT", "Reject"
    HIDE = "HIDE", "Hide"
    RESTORE_REVISION = "RESTORE_REVISION", "Restore revision"
    RESOLVE_FLAG = "RESOLVE_FLAG", "Resolve flag"


class ModerationAction(models.Model):
    """The moderation log: who did what to which content, and why."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=20, choices=ModerationActionKind.choices)
    reason = models.TextField(blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_check("action", ModerationActionKind, "moderation_action_valid"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="moderation_target_idx")]

    def __str__(self):
        return f"{self.action} {self.content_type.model} {self.object_id}"


class FlagReason(models.TextChoices):
    SPAM = "SPAM", "Spam"
    OFFENSIVE = "OFFENSIVE", "Offensive"
    DUPLICATE = "DUPLICATE", "Duplicate"
    OTHER = "OTHER", "Other"


class Flag(models.Model):
    """A contributor's report of content; open until a moderator resolves it."""

    reporter = models.ForeignKey(
        "hub.Contributor", on_delete=models.CASCADE, related_name="flags_raised"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(max_length=16, choices=FlagReason.choices)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "content_type", "object_id"], name="one_flag_per_reporter"
            ),
            choices_check("reason", FlagReason, "flag_reason_valid"),
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="flag_open_idx")]

    def __str__(self):
        return f"{self.reason} flag on {self.content_type.model} {self.object_id}"
