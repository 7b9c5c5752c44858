"""Writes of solutions: answer, edit with history, delete, vote, accept."""

from enum import StrEnum

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hub import events
from hub.errors import ApplicationError, ErrorCode
from hub.models import Challenge, ContentStatus, Solution, Vote
from hub.permissions import Viewer, is_moderator, require_can_edit, require_contributor
from hub.services import notifications, reputation
from hub.services.lookups import get_locked_or_not_found, get_visible_or_not_found
from hub.services.revisions import revise_content
from hub.services.rules import Checks
from hub.signals import announce_bulk_write


class VoteValue(StrEnum):
    UP = "UP"
    DOWN = "DOWN"
    CLEAR = "CLEAR"


_VOTE_NUMBER = {VoteValue.UP: Vote.UP, VoteValue.DOWN: Vote.DOWN, VoteValue.CLEAR: 0}


@transaction.atomic
def submit_solution(*, viewer: Viewer, challenge_id, body: str | None) -> Solution:
    author = require_contributor(viewer)
    checks = Checks()
    body = checks.markdown("body", body)
    challenge = get_visible_or_not_found(Challenge, viewer, challenge_id, "challenge_id")
    # Kept from being deleted until the answer is in (a concurrent delete: NOT_FOUND).
    challenge = get_locked_or_not_found(Challenge, challenge.pk, "challenge_id", no_key=True)
    if challenge.status != ContentStatus.PUBLISHED:
        checks.fail(
            ErrorCode.NOT_ALLOWED, "challenge_id", "This challenge is not open for answers."
        )
    checks.raise_if_any()
    solution = Solution.objects.create(
        challenge=challenge, author=author, body=body, status=ContentStatus.PUBLISHED
    )
    notifications.notify_solution_submitted(solution)
    events.publish(events.EventKind.SOLUTION_ADDED, scope=challenge, obj=solution)
    return solution


@transaction.atomic
def update_solution(*, viewer: Viewer, solution_id, body: str | None) -> Solution:
    solution = get_visible_or_not_found(Solution, viewer, solution_id)
    require_can_edit(viewer, solution)
    checks = Checks()
    body = checks.markdown("body", body)
    checks.raise_if_any()
    solution = get_locked_or_not_found(Solution, solution.pk)
    if revise_content(solution, require_contributor(viewer), None, body):
        solution.save()
    return solution


@transaction.atomic
def delete_solution(*, viewer: Viewer, solution_id) -> int:
    solution = get_visible_or_not_found(Solution, viewer, solution_id)
    require_can_edit(viewer, solution)
    # Locked first: of concurrent deletes one withdraws the reputation, the others NOT_FOUND.
    solution = get_locked_or_not_found(Solution, solution.pk)
    reputation.withdraw_solution_reputation([solution])
    pk = solution.pk
    solution.delete()
    return pk


@transaction.atomic
def vote_solution(*, viewer: Viewer, solution_id, value: VoteValue) -> Solution:
    """Set the viewer's vote on a solution (UP, DOWN) or take it back (CLEAR).

    The solution row is locked for the vote, so concurrent votes serialize and
    the score stays the exact sum of the votes.
    """
    voter = require_contributor(viewer)
    solution = get_visible_or_not_found(Solution, viewer, solution_id, "solution_id")
    if solution.author_id == voter.pk:
        raise ApplicationError(
            ErrorCode.NOT_ALLOWED, "You cannot vote on your own solution.", "solution_id"
        )
    if solution.status != ContentStatus.PUBLISHED:
        raise ApplicationError(
            ErrorCode.NOT_ALLOWED, "Only published solutions take votes.", "solution_id"
        )
    solution = get_locked_or_not_found(Solution, solution.pk, "solution_id")
    vote = Vote.objects.filter(solution=solution, voter=voter).first()
    old = vote.value if vote else 0
    new = _VOTE_NUMBER[VoteValue(value)]
    if old == new:
        return solution
    if new == 0:
        vote.delete()
    elif vote is None:
        Vote.objects.create(solution=solution, voter=voter, value=new)
    else:
        vote.value = new
        vote.save(update_fields=["value"])
    Solution.objects.filter(pk=solution.pk).update(score=F("score") + (new - old))
    announce_bulk_write(Solution)
    reputation.add_reputation(
        solution.author_id, reputation.get_vote_worth(new) - reputation.get_vote_worth(old)
    )
    solution.refresh_from_db(fields=["score"])
    events.publish(events.EventKind.SOLUTION_SCORE_CHANGED, scope=solution.challenge, obj=solution)
    return solution


@transaction.atomic
def accept_solution(*, viewer: Viewer, solution_id) -> Solution:
    """Mark a solution as its challenge's answer, replacing any earlier one.

    Only the challenge's author or a moderator may. The challenge is locked, then the
    solution and the earlier answer, so concurrent accepts and deletes serialize; the
    database allows one accepted per challenge. An answer to one's own challenge earns
    no reputation (hub.services.reputation).
    """
    actor = require_contributor(viewer)
    solution = get_visible_or_not_found(Solution, viewer, solution_id, "solution_id")
    challenge = get_locked_or_not_found(Challenge, solution.challenge_id, "solution_id")
    if challenge.author_id != actor.pk and not is_moderator(viewer):
        raise ApplicationError(
            ErrorCode.FORBIDDEN, "Only the challenge's author or a moderator accepts a solution."
        )
    locked = list(
        Solution.objects.select_for_update()
        .filter(Q(pk=solution.pk) | Q(is_accepted=True), challenge=challenge)
        .order_by("pk")
    )
    solution = next((s for s in locked if s.pk == solution.pk), None)
    if solution is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "No solution with this id.", "solution_id")
    if solution.status != ContentStatus.PUBLISHED:
        raise ApplicationError(
            ErrorCode.NOT_ALLOWED, "Only a published solution can be accepted.", "solution_id"
        )
    if solution.is_accepted:
        return solution
    points = {}
    for previous in locked:
        if previous.is_accepted:
            Solution.objects.filter(pk=previous.pk).update(is_accepted=False, accepted_at=None)
            points[previous.author_id] = -reputation.get_accepted_worth(
                previous.author_id, challenge.author_id
            )
    Solution.objects.filter(pk=solution.pk).update(is_accepted=True, accepted_at=timezone.now())
    announce_bulk_write(Solution)
    gained = reputation.get_accepted_worth(solution.author_id, challenge.author_id)
    points[solution.author_id] = points.get(solution.author_id, 0) + gained
    reputation.add_reputations(points)
    notifications.notify_solution_accepted(solution, by=actor)
    events.publish(events.EventKind.SOLUTION_ACCEPTED, scope=challenge, obj=solution)
    solution.refresh_from_db()
    return solution
