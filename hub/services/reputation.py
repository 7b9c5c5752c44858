"""Reputation: what a contributor's answers earned, kept exact with F() updates.

Rule: +10 for each upvote and -2 for each downvote on one's solutions, +15 for
each of one's solutions accepted as a challenge's answer. Votes and acceptance
on deleted solutions no longer count.
"""

from django.db.models import Count, F, Q

from hub.models import Contributor, Solution
from hub.signals import announce_bulk_write

UPVOTE = 10
DOWNVOTE = -2
ACCEPTED = 15


def vote_worth(value: int) -> int:
    return UPVOTE if value > 0 else DOWNVOTE if value < 0 else 0


def add(contributor_id: int | None, points: int) -> None:
    if contributor_id is not None and points:
        Contributor.objects.filter(pk=contributor_id).update(reputation=F("reputation") + points)
        announce_bulk_write(Contributor)


def withdraw_solutions(solutions) -> None:
    """Take back what the given solutions earned (before they are deleted)."""
    rows = Solution.objects.filter(pk__in=[s.pk for s in solutions]).annotate(
        ups=Count("votes", filter=Q(votes__value=1)),
        downs=Count("votes", filter=Q(votes__value=-1)),
    )
    for row in rows:
        earned = UPVOTE * row.ups + DOWNVOTE * row.downs + (ACCEPTED if row.is_accepted else 0)
        add(row.author_id, -earned)
