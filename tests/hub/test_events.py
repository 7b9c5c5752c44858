"""Hub events leave after the transaction commits, never for a rolled-back write."""

import pytest
from django.db import transaction
from django.test import TestCase

from hub import events
from hub.errors import ValidationErrors
from hub.models import Challenge, Comment
from hub.services import comments, solutions
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    received = []
    events.add_sender(received.append)
    yield received
    events.remove_sender(received.append)


def test_a_new_solution_is_announced_to_its_challenge_after_commit(sent):
    challenge = ChallengeFactory()
    author = ContributorFactory()
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        solution = solutions.submit_solution(
            viewer=author.user, challenge_id=challenge.pk, body="Try this."
        )
        assert sent == []  # nothing before the commit
    assert len(callbacks) >= 1
    assert [(e.kind, e.topic, e.model, e.pk) for e in sent] == [
        (
            events.EventKind.SOLUTION_ADDED,
            f"solution_added.challenge.{challenge.pk}",
            "hub.solution",
            solution.pk,
        )
    ]


def test_a_rolled_back_write_announces_nothing(sent):
    challenge = ChallengeFactory()
    author = ContributorFactory()
    with (
        TestCase.captureOnCommitCallbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        solutions.submit_solution(
            viewer=author.user, challenge_id=challenge.pk, body="Rolled back."
        )
        raise RuntimeError("the outer transaction fails")
    assert sent == []


def test_a_refused_write_announces_nothing(sent):
    challenge = ChallengeFactory()
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(ValidationErrors):
        solutions.submit_solution(viewer=challenge.author.user, challenge_id=challenge.pk, body="")
    assert sent == []


@pytest.mark.parametrize("target_model", [Challenge, "solution"])
def test_comments_and_replies_are_announced_to_their_thread(sent, target_model):
    solution = SolutionFactory()
    target = solution.challenge if target_model is Challenge else solution
    commenter = ContributorFactory()
    with TestCase.captureOnCommitCallbacks(execute=True):
        comment = comments.add_comment(
            viewer=commenter.user, target_model=type(target), target_id=target.pk, body="Hm."
        )
        reply = comments.add_comment(
            viewer=commenter.user,
            target_model=type(target),
            target_id=target.pk,
            parent_id=comment.pk,
            body="Indeed.",
        )
    scope = f"{type(target)._meta.model_name}.{target.pk}"
    assert [(e.topic, e.pk) for e in sent] == [
        (f"comment_added.{scope}", comment.pk),
        (f"comment_added.{scope}", reply.pk),
    ]
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk


def test_votes_and_accepts_are_announced_to_the_challenge(sent):
    solution = SolutionFactory()
    voter = ContributorFactory()
    with TestCase.captureOnCommitCallbacks(execute=True):
        solutions.vote_solution(viewer=voter.user, solution_id=solution.pk, value="UP")
        solutions.vote_solution(viewer=voter.user, solution_id=solution.pk, value="UP")  # no change
        solutions.accept_solution(viewer=solution.challenge.author.user, solution_id=solution.pk)
    challenge = solution.challenge_id
    assert [e.topic for e in sent] == [
        f"solution_score_changed.challenge.{challenge}",
        f"solution_accepted.challenge.{challenge}",
    ]


def test_a_failing_transport_does_not_fail_the_committed_write(sent):
    def broken(event):
        raise ConnectionError("layer down")

    events.add_sender(broken)
    try:
        challenge = ChallengeFactory()
        with TestCase.captureOnCommitCallbacks(execute=True):
            solutions.submit_solution(
                viewer=ContributorFactory().user, challenge_id=challenge.pk, body="Still saved."
            )
    finally:
        events.remove_sender(broken)
    assert len(sent) == 1  # the other sender still got it
