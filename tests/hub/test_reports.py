"""hub.services.reports: the weekly digest, its email, `manage.py hub_report` and its task."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command

from hub.errors import ApplicationError
from hub.models import ContentStatus, SentEmail, Vote
from hub.permissions import MODERATORS_GROUP
from hub.services import reports
from hub.tasks import send_weekly_digest
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 00:00 UTC: the digest covers Monday 16 to Sunday 22.
UNTIL = datetime(2026, 11, 23, tzinfo=UTC)
IN_WEEK = UNTIL - timedelta(days=3)
BEFORE_WEEK = UNTIL - timedelta(days=8)


def vote(solution, value, at):
    return Vote.objects.create(
        solution=solution, voter=ContributorFactory(), value=value, created_at=at
    )


def test_new_challenges_are_the_published_ones_of_the_week_newest_first():
    older = ChallengeFactory(title="Older", created_at=IN_WEEK - timedelta(days=1))
    newer = ChallengeFactory(title="Newer", created_at=IN_WEEK)
    ChallengeFactory(title="Last week", created_at=BEFORE_WEEK)
    ChallengeFactory(title="Today", created_at=UNTIL)
    ChallengeFactory(title="Pending", created_at=IN_WEEK, status=ContentStatus.PENDING)

    digest = reports.build_weekly_digest(until=UNTIL)

    assert (digest.since, digest.until) == (UNTIL - timedelta(days=7), UNTIL)
    assert digest.new_challenges == [newer, older]
    assert digest.new_challenge_count == 2


def test_unanswered_challenges_have_no_published_answer_and_the_longest_waiting_come_first():
    oldest = ChallengeFactory(title="Oldest", created_at=BEFORE_WEEK - timedelta(days=30))
    only_hidden_answer = ChallengeFactory(created_at=BEFORE_WEEK)
    SolutionFactory(challenge=only_hidden_answer, status=ContentStatus.HIDDEN)
    answered = ChallengeFactory(created_at=BEFORE_WEEK)
    SolutionFactory(challenge=answered)
    recent = ChallengeFactory(created_at=IN_WEEK)
    ChallengeFactory(created_at=UNTIL + timedelta(hours=1))  # after the period

    digest = reports.build_weekly_digest(until=UNTIL)

    assert digest.unanswered == [oldest, only_hidden_answer, recent]
    assert digest.unanswered_count == 3


def test_lists_are_cut_at_the_limit_but_counts_are_whole():
    for day in range(4):
        ChallengeFactory(created_at=IN_WEEK - timedelta(days=day))

    digest = reports.build_weekly_digest(until=UNTIL, limit=2)

    assert len(digest.new_challenges) == len(digest.unanswered) == 2
    assert digest.new_challenge_count == digest.unanswered_count == 4


def test_top_contributors_rank_by_reputation_gained_in_the_week():
    ada = ContributorFactory(user__username="ada")
    bob = ContributorFactory(user__username="bob")
    cyd = ContributorFactory(user__username="cyd")
    dan = ContributorFactory(user__username="dan")
    answer_of_ada = SolutionFactory(author=ada)
    vote(answer_of_ada, Vote.UP, IN_WEEK)  # +10
    vote(answer_of_ada, Vote.DOWN, IN_WEEK)  # -2
    vote(answer_of_ada, Vote.UP, BEFORE_WEEK)  # not this week
    SolutionFactory(author=bob, is_accepted=True, accepted_at=IN_WEEK)  # +15
    SolutionFactory(author=cyd, is_accepted=True, accepted_at=BEFORE_WEEK)  # not this week
    vote(SolutionFactory(author=cyd), Vote.UP, IN_WEEK)  # +10
    vote(SolutionFactory(author=dan), Vote.DOWN, IN_WEEK)  # -2: gained nothing

    digest = reports.build_weekly_digest(until=UNTIL)

    assert [(g.contributor.username, g.points) for g in digest.top_contributors] == [
        ("bob", 15),
        ("cyd", 10),
        ("ada", 8),
    ]


def test_contributors_with_equal_gains_are_listed_by_username():
    for name in ("zed", "amy"):
        vote(SolutionFactory(author=ContributorFactory(user__username=name)), Vote.UP, IN_WEEK)

    digest = reports.build_weekly_digest(until=UNTIL, limit=1)

    assert [g.contributor.username for g in digest.top_contributors] == ["amy"]


@pytest.mark.parametrize(("days", "limit", "field"), [(0, 10, "days"), (7, 0, "limit")])
def test_a_digest_needs_a_period_and_rows(days, limit, field):
    with pytest.raises(ApplicationError) as failure:
        reports.build_weekly_digest(until=UNTIL, days=days, limit=limit)

    assert failure.value.field == field


def test_the_digest_reads_as_text():
    ChallengeFactory(title="Broker keeps dropping messages", created_at=IN_WEEK)
    winner = ContributorFactory(user__username="ada", display_name="Ada")
    SolutionFactory(
        challenge=ChallengeFactory(created_at=BEFORE_WEEK),
        author=winner,
        is_accepted=True,
        accepted_at=IN_WEEK,
    )

    text = reports.build_weekly_digest(until=UNTIL).as_text()

    assert "Nexus weekly digest, Mon 16 Nov 2026 to Sun 22 Nov 2026 (UTC)" in text
    assert "New challenges: 1" in text
    assert "  - Broker keeps dropping messages (broker-keeps-dropping-messages)" in text
    assert "Unanswered challenges: 1, longest waiting first" in text
    assert "  1. Ada (@ada): +15" in text


def test_an_empty_week_says_so():
    text = reports.build_weekly_digest(until=UNTIL).as_text()

    assert "New challenges: 0\n  (none)" in text
    assert "(nobody gained reputation this week)" in text


# --- sending ----------------------------------------------------------------------------------


@pytest.fixture
def moderators():
    staff = ContributorFactory(user__is_staff=True, user__email="staff@example.com")
    member = ContributorFactory(user__email="member@example.com")
    member.user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    ContributorFactory(user__is_staff=True, user__email="")  # no address
    ContributorFactory(user__is_staff=True, user__email="gone@example.com", user__is_active=False)
    ContributorFactory(user__email="someone@example.com")  # not a moderator
    return [staff, member]


def test_the_digest_is_emailed_to_the_moderators(moderators):
    sent = reports.send_weekly_digest(until=UNTIL)

    assert sent == 2
    assert sorted(email.to[0] for email in mail.outbox) == [
        "member@example.com",
        "staff@example.com",
    ]
    assert mail.outbox[0].subject == "Nexus weekly digest: 16 Nov to 22 Nov 2026"
    assert "New challenges: 0" in mail.outbox[0].body


def test_configured_recipients_replace_the_moderators(moderators, settings):
    settings.HUB_DIGEST_RECIPIENTS = ["team@example.com", "team@example.com"]

    reports.send_weekly_digest(until=UNTIL)

    assert [email.to for email in mail.outbox] == [["team@example.com"]]


def test_each_recipient_gets_one_digest_a_week_however_often_it_is_sent(moderators):
    reports.send_weekly_digest(until=UNTIL)

    assert reports.send_weekly_digest(until=UNTIL) == 0
    assert len(mail.outbox) == 2
    assert reports.send_weekly_digest(until=UNTIL + timedelta(days=7)) == 2


def test_the_weekly_task_sends_the_digest_of_the_week_before_today(moderators, monkeypatch):
    monkeypatch.setattr(reports.timezone, "now", lambda: UNTIL + timedelta(hours=7))

    assert send_weekly_digest.apply().get() == 2
    assert {e.key.rsplit(":", 1)[0] for e in SentEmail.objects.all()} == {
        "weekly-digest:2026-11-23"
    }


# --- manage.py hub_report ---------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("hub_report", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_digest():
    ChallengeFactory(title="Flaky worker", created_at=IN_WEEK)

    text = run("--until", "2026-11-23")

    assert text.startswith("Nexus weekly digest, Mon 16 Nov 2026")
    assert "  - Flaky worker (flaky-worker)" in text


def test_the_command_takes_another_period_and_limit():
    ChallengeFactory(title="Two weeks ago", created_at=UNTIL - timedelta(days=10))

    assert "New challenges: 0" in run("--until", "2026-11-23")
    assert "New challenges: 1\n  - Two weeks ago" in run(
        "--until", "2026-11-23", "--days", "14", "--limit", "1"
    )


def test_the_command_defaults_to_the_week_before_today(monkeypatch):
    monkeypatch.setattr(reports.timezone, "now", lambda: UNTIL + timedelta(hours=12))

    assert run().startswith("Nexus weekly digest, Mon 16 Nov 2026 to Sun 22 Nov 2026")


def test_the_command_sends_the_digest(moderators):
    assert run("--until", "2026-11-23", "--send") == "Digest emailed to 2 new recipient(s).\n"
    assert run("--until", "2026-11-23", "--send") == "Digest emailed to 0 new recipient(s).\n"
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--until", "23/11/2026"], "'23/11/2026' is not a date"),
        (["--days", "0"], "--days: A digest covers at least one day."),
        (["--limit", "0"], "--limit: List at least one row."),
        (["--send", "--days", "30"], "--send emails the standard digest"),
    ],
)
def test_the_command_explains_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_period_end_is_a_utc_midnight():
    assert reports.get_period_end(day=date(2026, 11, 23)) == UNTIL
