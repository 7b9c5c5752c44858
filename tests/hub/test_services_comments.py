"""hub.services.comments: comments on challenges and solutions, threaded replies."""

import pytest
from django.contrib.auth.models import AnonymousUser

from hub import selectors
from hub.models import Challenge, Comment, ContentStatus, Solution
from hub.services import comments
from tests.factories import ChallengeFactory, SolutionFactory
from tests.hub.service_helpers import errors_of, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge():
    return ChallengeFactory()


def add(viewer, target, body="A comment.", parent=None):
    return comments.add_comment(
        viewer=viewer,
        target_model=type(target),
        target_id=target.pk,
        parent_id=parent.pk if parent else None,
        body=body,
    )


def test_comment_on_a_challenge(contributor, challenge):
    comment = add(contributor.user, challenge, body="  Which *version*? ")

    comment.refresh_from_db()
    assert comment.challenge == challenge
    assert comment.solution is None
    assert comment.parent is None
    assert comment.author == contributor
    assert comment.body == "Which *version*?"
    assert "<em>version</em>" in comment.body_html
    assert comment.status == ContentStatus.PUBLISHED


def test_comment_on_a_solution(contributor):
    solution = SolutionFactory()

    comment = add(contributor.user, solution)

    assert (comment.solution, comment.challenge) == (solution, None)


def test_replies_nest_to_any_depth(contributor, challenge):
    root = add(contributor.user, challenge, "Level 1")
    level2 = add(contributor.user, challenge, "Level 2", parent=root)
    level3 = add(contributor.user, challenge, "Level 3", parent=level2)
    level4 = add(contributor.user, challenge, "Level 4", parent=level3)

    assert (level4.parent, level3.parent, level2.parent) == (level3, level2, root)
    assert all(c.challenge == challenge for c in (root, level2, level3, level4))

    fresh = Challenge.objects.get(pk=challenge.pk)
    (top,) = selectors.list_thread_comments(target=fresh, viewer=AnonymousUser())
    bodies = []
    node = top
    while node is not None:
        bodies.append(node.body)
        replies = list(selectors.related(node, "replies", AnonymousUser()))
        node = replies[0] if replies else None
    assert bodies == ["Level 1", "Level 2", "Level 3", "Level 4"]


def test_a_parent_from_another_thread_is_not_found(contributor, challenge):
    other_challenge = ChallengeFactory()
    solution = SolutionFactory(challenge=challenge)
    elsewhere = add(contributor.user, other_challenge)
    on_the_solution = add(contributor.user, solution)
    before = row_counts()

    for parent in (elsewhere, on_the_solution):
        assert errors_of(add, contributor.user, challenge, parent=parent) == {
            ("parent_id", "NOT_FOUND")
        }
    assert errors_of(
        comments.add_comment,
        viewer=contributor.user,
        target_model=Challenge,
        target_id=challenge.pk,
        parent_id=999_999,
        body="Hi",
    ) == {("parent_id", "NOT_FOUND")}
    assert row_counts() == before


def test_a_hidden_parent_takes_no_replies(contributor, challenge):
    hidden = add(contributor.user, challenge)
    Comment.objects.filter(pk=hidden.pk).update(status=ContentStatus.HIDDEN)

    assert errors_of(add, contributor.user, challenge, parent=hidden) == {
        ("parent_id", "NOT_FOUND")
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, ("body", "REQUIRED")),
        (" \n ", ("body", "REQUIRED")),
        ("c" * 5_001, ("body", "TOO_LONG")),
        ("free money for all", ("body", "INVALID")),
        (" ".join(f"https://l{i}.example" for i in range(9)), ("body", "INVALID")),
    ],
)
def test_a_bad_body_is_rejected_and_nothing_written(contributor, challenge, body, expected):
    before = row_counts()

    assert errors_of(add, contributor.user, challenge, body=body) == {expected}
    assert row_counts() == before


def test_the_longest_body_allowed(contributor, challenge):
    assert len(add(contributor.user, challenge, body="c" * 5_000).body) == 5_000


def test_targets_the_viewer_cannot_see_are_not_found(contributor):
    hidden_challenge = ChallengeFactory(status=ContentStatus.HIDDEN)
    hidden_solution = SolutionFactory(status=ContentStatus.HIDDEN)
    before = row_counts()

    for model, pk in [
        (Challenge, hidden_challenge.pk),
        (Solution, hidden_solution.pk),
        (Challenge, 999_999),
    ]:
        assert errors_of(
            comments.add_comment,
            viewer=contributor.user,
            target_model=model,
            target_id=pk,
            body="Hi",
        ) == {("target_id", "NOT_FOUND")}
    assert row_counts() == before


def test_only_challenges_and_solutions_take_comments(contributor, challenge):
    comment = add(contributor.user, challenge)
    before = row_counts()

    assert errors_of(
        comments.add_comment,
        viewer=contributor.user,
        target_model=Comment,
        target_id=comment.pk,
        body="Hi",
    ) == {("target_id", "INVALID")}
    assert row_counts() == before


def test_authors_may_comment_on_their_own_unpublished_challenge(contributor):
    pending = ChallengeFactory(author=contributor, status=ContentStatus.PENDING)

    assert add(contributor.user, pending).challenge == pending


def test_commenting_needs_a_signed_in_user(challenge):
    before = row_counts()

    assert errors_of(add, AnonymousUser(), challenge) == {(None, "UNAUTHENTICATED")}
    assert row_counts() == before
