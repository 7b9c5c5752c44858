"""The weekly digest: new challenges, unanswered ones, who gained most reputation.

Built for the seven days before a UTC midnight (`until`), printed by
`manage.py hub_report` and emailed every Monday by Celery beat to
HUB_DIGEST_RECIPIENTS, or to the moderators when that is empty. Each recipient
gets at most one digest per period, however often the task runs or dies: the digest is
an at-most-once email (hub.services.notifications), a repeat being worse than a miss.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from hub.errors import ApplicationError, ErrorCode
from hub.models import Challenge, ContentStatus, Contributor, Solution, Vote
from hub.models.notifications import EmailKind
from hub.permissions import MODERATORS_GROUP
from hub.services import notifications, reputation

DAYS = 7
LIMIT = 10


@dataclass(frozen=True)
class ContributorGain:
    contributor: Contributor
    points: int


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    new_challenges: list[Challenge]
    new_challenge_count: int
    unanswered: list[Challenge]
    unanswered_count: int
    top_contributors: list[ContributorGain]

    @property
    def last_day(self) -> date:
        return (self.until - timedelta(days=1)).date()

    @property
    def subject(self) -> str:
        return f"Nexus weekly digest: {self.since:%d %b} to {self.last_day:%d %b %Y}"

    def as_text(self) -> str:
        return render_to_string("hub/emails/weekly_digest.txt", {"digest": self})


def get_period_end(*, day: date | None = None) -> datetime:
    """The UTC midnight starting `day` (today by default): the end of a digest's period."""
    return datetime.combine(day or timezone.now().date(), time.min, tzinfo=UTC)


def build_weekly_digest(
    *, until: datetime | None = None, days: int = DAYS, limit: int = LIMIT
) -> Digest:
    """The digest of the `days` before `until` (today's UTC midnight), `limit` rows a list."""
    if days < 1:
        raise ApplicationError(ErrorCode.INVALID, "A digest covers at least one day.", "days")
    if limit < 1:
        raise ApplicationError(ErrorCode.INVALID, "List at least one row.", "limit")
    until = until or get_period_end()
    since = until - timedelta(days=days)
    published = Challenge.objects.filter(status=ContentStatus.PUBLISHED).select_related(
        "author__user"
    )
    new = published.filter(created_at__gte=since, created_at__lt=until).order_by("-created_at")
    unanswered = (
        published.filter(created_at__lt=until)
        .exclude(solutions__status=ContentStatus.PUBLISHED)
        .order_by("created_at", "id")
    )
    return Digest(
        since=since,
        until=until,
        new_challenges=list(new[:limit]),
        new_challenge_count=new.count(),
        unanswered=list(unanswered[:limit]),
        unanswered_count=unanswered.count(),
        top_contributors=list_top_contributors(since=since, until=until, limit=limit),
    )


def list_top_contributors(*, since: datetime, until: datetime, limit: int) -> list[ContributorGain]:
    """Who gained most reputation in [since, until): votes cast then on their answers,
    and their answers accepted then (the rule of hub.services.reputation)."""
    points: dict[int, int] = defaultdict(int)
    votes = (
        Vote.objects.filter(created_at__gte=since, created_at__lt=until)
        .exclude(solution__author=None)
        .values("solution__author")
        .annotate(
            ups=Count("id", filter=Q(value=Vote.UP)), downs=Count("id", filter=Q(value=Vote.DOWN))
        )
    )
    for row in votes:
        points[row["solution__author"]] += (
            reputation.UPVOTE * row["ups"] + reputation.DOWNVOTE * row["downs"]
        )
    accepted = (
        Solution.objects.filter(is_accepted=True, accepted_at__gte=since, accepted_at__lt=until)
        .exclude(author=None)
        .values("author")
        .annotate(count=Count("id"))
    )
    for row in accepted:
        points[row["author"]] += reputation.ACCEPTED * row["count"]
    gainers = Contributor.objects.select_related("user").in_bulk(
        [pk for pk, gained in points.items() if gained > 0]
    )
    ranked = sorted(gainers.values(), key=lambda c: (-points[c.pk], c.user.username))
    return [ContributorGain(c, points[c.pk]) for c in ranked[:limit]]


def list_digest_recipients() -> list[str]:
    """HUB_DIGEST_RECIPIENTS, or every active moderator with an email address."""
    if settings.HUB_DIGEST_RECIPIENTS:
        return list(dict.fromkeys(settings.HUB_DIGEST_RECIPIENTS))
    moderators = (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(groups__name=MODERATORS_GROUP), is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(moderators))


def send_weekly_digest(*, until: datetime | None = None) -> int:
    """Email the digest of the week before `until` to its recipients; how many were sent.

    Each recipient's email is recorded (committed) before it is sent, so a run that dies
    midway is finished by the next run, or by the outbox sweep. Run outside a transaction.
    """
    digest = build_weekly_digest(until=until)
    body = digest.as_text()
    sent = 0
    for address in list_digest_recipients():
        email, _ = notifications.queue_email(
            kind=EmailKind.WEEKLY_DIGEST,
            key=f"{EmailKind.WEEKLY_DIGEST}:{digest.until.date().isoformat()}:{address}",
            draft=notifications.Draft.of(address, digest.subject, body),
        )
        sent += notifications.deliver_email(email.pk) is notifications.Outcome.SENT
    return sent
