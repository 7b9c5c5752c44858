"""Reputation: what a contributor's answers earned, kept exact with F() updates.

Rule: +10 for each upvote and -2 for each downvote on one's solutions, +15 for
each of one's solutions accepted as the answer to somebody else's challenge
(accepting one's own answer earns nothing). Votes and acceptance on deleted
solutions no longer count.
"""

from collections import Counter

from django.db.models import Count, F, Q

from hub.models import Contributor, Solution
from hub.signals import announce_bulk_write

UPVOTE = 10
DOWNVOTE = -2
ACCEPTED = 15


def get_vote_worth(value: int) -> int:
    return UPVOTE if value > 0 else DOWNVOTE if value < 0 else 0


def get_accepted_worth(solution_author_id: int, challenge_author_id: int | None) -> int:
    return 0 if solution_author_id == challenge_author_id else ACCEPTED


def add_reputation(contributor_id: int | None, points: int) -> None:
    add_reputations({contributor_id: points})


def add_reputations(points_by_contributor: dict) -> None:
    """Apply several changes in one order (by id), so concurrent writers cannot deadlock."""
    for contributor_id in sorted(pk for pk in points_by_contributor if pk is not None):
        points = points_by_contributor[contributor_id]
        if points:
            Contributor.objects.filter(pk=contributor_id).update(
                reputation=F("reputation") + points
            )
            announce_bulk_write(Contributor, ["reputation"])


def withdraw_solution_reputation(solutions) -> None:
    """Take back what the given solutions earned (before they are deleted).

    Call it with the solutions' rows locked, in the transaction that deletes them.
    """
    rows = Solution.objects.filter(pk__in=[s.pk for s in solutions]).annotate(
        ups=Count("votes", filter=Q(votes__value=1)),
        downs=Count("votes", filter=Q(votes__value=-1)),
        challenge_author_id=F("challenge__author_id"),
    )
    earned = Counter()
    for row in rows:
        earned[row.author_id] -= UPVOTE * row.ups + DOWNVOTE * row.downs
        if row.is_accepted:
            earned[row.author_id] -= get_accepted_worth(row.author_id, row.challenge_author_id)
    add_reputations(earned)
