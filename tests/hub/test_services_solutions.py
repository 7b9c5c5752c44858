"""hub.services.solutions: answers, edits with history, votes, accepting, reputation."""

import itertools
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction

from hub.models import ContentStatus, Revision, Solution, Vote
from hub.services import reputation, solutions
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory
from tests.hub.service_helpers import errors_of, reputation_of, row_counts

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"
)


@pytest.fixture
def challenge():
    return ChallengeFactory()


@pytest.fixture
def solution(challenge):
    return SolutionFactory(challenge=challenge)


def score_of(solution) -> int:
    return Solution.objects.get(pk=solution.pk).score


# --- submit / update / delete -----------------------------------------------------------------


def test_submit_answers_a_challenge(contributor, challenge):
    solution = solutions.submit_solution(
        viewer=contributor.user, challenge_id=challenge.pk, body="  Use **locks**. "
    )

    solution.refresh_from_db()
    assert solution.challenge == challenge
    assert solution.author == contributor
    assert solution.body == "Use **locks**."
    assert "<strong>locks</strong>" in solution.body_html
    assert solution.status == ContentStatus.PUBLISHED
    assert (solution.score, solution.is_accepted) == (0, False)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, ("body", "REQUIRED")),
        ("  ", ("body", "REQUIRED")),
        ("b" * 20_001, ("body", "TOO_LONG")),
        ("Get FREE MONEY", ("body", "INVALID")),
        (" ".join(f"http://x{i}.example" for i in range(9)), ("body", "INVALID")),
    ],
)
def test_submit_rejects_a_bad_body_and_writes_nothing(contributor, challenge, body, expected):
    before = row_counts()

    assert errors_of(
        solutions.submit_solution, viewer=contributor.user, challenge_id=challenge.pk, body=body
    ) == {expected}
    assert row_counts() == before


def test_submit_to_an_unknown_or_invisible_challenge_is_not_found(contributor):
    hidden = ChallengeFactory(status=ContentStatus.PENDING)
    before = row_counts()

    for pk in (hidden.pk, 999_999):
        assert errors_of(
            solutions.submit_solution, viewer=contributor.user, challenge_id=pk, body="Answer."
        ) == {("challenge_id", "NOT_FOUND")}
    assert row_counts() == before


def test_a_challenge_that_is_not_published_takes_no_answers(contributor, moderator):
    own_pending = ChallengeFactory(author=contributor, status=ContentStatus.PENDING)
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    before = row_counts()

    assert errors_of(
        solutions.submit_solution,
        viewer=contributor.user,
        challenge_id=own_pending.pk,
        body="Answer.",
    ) == {("challenge_id", "NOT_ALLOWED")}
    assert errors_of(
        solutions.submit_solution, viewer=moderator.user, challenge_id=hidden.pk, body="Answer."
    ) == {("challenge_id", "NOT_ALLOWED")}
    assert row_counts() == before


def test_submit_needs_a_signed_in_user(challenge):
    assert errors_of(
        solutions.submit_solution, viewer=AnonymousUser(), challenge_id=challenge.pk, body="Answer."
    ) == {(None, "UNAUTHENTICATED")}
    assert Solution.objects.count() == 0


def test_update_keeps_the_previous_body_as_a_revision(contributor, challenge):
    solution = SolutionFactory(challenge=challenge, author=contributor, body="First answer.")

    solutions.update_solution(
        viewer=contributor.user, solution_id=solution.pk, body="Second answer."
    )
    solutions.update_solution(
        viewer=contributor.user, solution_id=solution.pk, body="Third answer."
    )

    solution.refresh_from_db()
    assert solution.body == "Third answer."
    assert [(r.title, r.body, r.editor) for r in solution.revisions.order_by("id")] == [
        ("", "First answer.", contributor),
        ("", "Second answer.", contributor),
    ]


def test_an_unchanged_body_adds_no_revision(contributor, challenge):
    solution = SolutionFactory(challenge=challenge, author=contributor, body="Same.")

    solutions.update_solution(viewer=contributor.user, solution_id=solution.pk, body="Same.")

    assert Revision.objects.count() == 0


def test_a_moderator_may_update_anyones_solution(moderator, solution):
    solutions.update_solution(viewer=moderator.user, solution_id=solution.pk, body="Moderated.")

    assert Solution.objects.get(pk=solution.pk).body == "Moderated."
    assert Revision.objects.get().editor == moderator


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, ("body", "REQUIRED")),
        ("", ("body", "REQUIRED")),
        ("b" * 20_001, ("body", "TOO_LONG")),
        ("crypto giveaway!", ("body", "INVALID")),
    ],
)
def test_update_rejects_a_bad_body_and_changes_nothing(contributor, challenge, body, expected):
    solution = SolutionFactory(challenge=challenge, author=contributor, body="Kept.")
    before = row_counts()

    assert errors_of(
        solutions.update_solution, viewer=contributor.user, solution_id=solution.pk, body=body
    ) == {expected}
    assert Solution.objects.get(pk=solution.pk).body == "Kept."
    assert row_counts() == before


def test_update_denials(contributor, solution):
    hidden = SolutionFactory(status=ContentStatus.HIDDEN)
    before = row_counts()

    assert errors_of(
        solutions.update_solution, viewer=contributor.user, solution_id=solution.pk, body="X"
    ) == {(None, "FORBIDDEN")}
    assert errors_of(
        solutions.update_solution, viewer=AnonymousUser(), solution_id=solution.pk, body="X"
    ) == {(None, "UNAUTHENTICATED")}
    assert errors_of(
        solutions.update_solution, viewer=contributor.user, solution_id=hidden.pk, body="X"
    ) == {("id", "NOT_FOUND")}
    assert row_counts() == before


def test_delete_a_solution_takes_back_what_it_earned(contributor, challenge):
    solution = SolutionFactory(challenge=challenge, author=contributor)
    other = SolutionFactory(challenge=challenge, author=contributor)
    voters = ContributorFactory.create_batch(3)
    for voter in voters[:2]:
        solutions.vote_solution(viewer=voter.user, solution_id=solution.pk, value="UP")
    solutions.vote_solution(viewer=voters[2].user, solution_id=solution.pk, value="DOWN")
    solutions.vote_solution(viewer=voters[0].user, solution_id=other.pk, value="UP")
    solutions.accept_solution(viewer=challenge.author.user, solution_id=solution.pk)
    assert reputation_of(contributor) == 10 + 10 - 2 + 15 + 10

    assert (
        solutions.delete_solution(viewer=contributor.user, solution_id=solution.pk) == solution.pk
    )

    assert not Solution.objects.filter(pk=solution.pk).exists()
    assert Vote.objects.filter(solution=other).count() == 1
    assert reputation_of(contributor) == 10


def test_delete_denials(contributor, solution):
    before = row_counts()

    assert errors_of(
        solutions.delete_solution, viewer=contributor.user, solution_id=solution.pk
    ) == {(None, "FORBIDDEN")}
    assert errors_of(
        solutions.delete_solution, viewer=AnonymousUser(), solution_id=solution.pk
    ) == {(None, "UNAUTHENTICATED")}
    assert errors_of(solutions.delete_solution, viewer=contributor.user, solution_id=999_999) == {
        ("id", "NOT_FOUND")
    }
    assert row_counts() == before


def test_a_moderator_deletes_anyones_solution(moderator, solution):
    solutions.delete_solution(viewer=moderator.user, solution_id=solution.pk)

    assert Solution.objects.count() == 0


# --- votes ------------------------------------------------------------------------------------


def test_votes_set_the_score_and_the_authors_reputation(solution):
    up1, up2, down = ContributorFactory.create_batch(3)

    solutions.vote_solution(viewer=up1.user, solution_id=solution.pk, value="UP")
    solutions.vote_solution(viewer=up2.user, solution_id=solution.pk, value="UP")
    voted = solutions.vote_solution(viewer=down.user, solution_id=solution.pk, value="DOWN")

    assert voted.score == 1
    assert score_of(solution) == 1
    assert reputation_of(solution.author) == 10 + 10 - 2
    assert sorted(Vote.objects.values_list("value", flat=True)) == [-1, 1, 1]


def test_voting_the_same_way_twice_counts_once(contributor, solution):
    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="UP")
    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="UP")

    assert score_of(solution) == 1
    assert reputation_of(solution.author) == 10
    assert Vote.objects.count() == 1


def test_switching_a_vote_replaces_it(contributor, solution):
    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="UP")
    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="DOWN")

    assert score_of(solution) == -1
    assert reputation_of(solution.author) == -2
    assert Vote.objects.get().value == Vote.DOWN

    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="UP")

    assert score_of(solution) == 1
    assert reputation_of(solution.author) == 10


@pytest.mark.parametrize("value", ["UP", "DOWN"])
def test_clear_takes_a_vote_back(contributor, solution, value):
    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value=value)

    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="CLEAR")

    assert score_of(solution) == 0
    assert reputation_of(solution.author) == 0
    assert Vote.objects.count() == 0


def test_clear_without_a_vote_changes_nothing(contributor, solution):
    solutions.vote_solution(viewer=contributor.user, solution_id=solution.pk, value="CLEAR")

    assert score_of(solution) == 0
    assert reputation_of(solution.author) == 0


def test_nobody_votes_on_their_own_solution(contributor, challenge):
    own = SolutionFactory(challenge=challenge, author=contributor)
    before = row_counts()

    assert errors_of(
        solutions.vote_solution, viewer=contributor.user, solution_id=own.pk, value="UP"
    ) == {("solution_id", "NOT_ALLOWED")}
    assert row_counts() == before
    assert reputation_of(contributor) == 0


def test_unpublished_solutions_take_no_votes(moderator):
    hidden = SolutionFactory(status=ContentStatus.HIDDEN)

    assert errors_of(
        solutions.vote_solution, viewer=moderator.user, solution_id=hidden.pk, value="UP"
    ) == {("solution_id", "NOT_ALLOWED")}
    assert Vote.objects.count() == 0


def test_votes_on_unknown_or_invisible_solutions_are_not_found(contributor):
    hidden = SolutionFactory(status=ContentStatus.HIDDEN)
    under_hidden_challenge = SolutionFactory(
        challenge=ChallengeFactory(status=ContentStatus.HIDDEN)
    )

    for pk in (hidden.pk, under_hidden_challenge.pk, 999_999):
        assert errors_of(
            solutions.vote_solution, viewer=contributor.user, solution_id=pk, value="UP"
        ) == {("solution_id", "NOT_FOUND")}
    assert Vote.objects.count() == 0


def test_voting_needs_a_signed_in_user(solution):
    assert errors_of(
        solutions.vote_solution, viewer=AnonymousUser(), solution_id=solution.pk, value="UP"
    ) == {(None, "UNAUTHENTICATED")}
    assert Vote.objects.count() == 0


def test_the_database_allows_one_vote_per_voter(contributor, solution):
    Vote.objects.create(solution=solution, voter=contributor, value=Vote.UP)

    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(solution=solution, voter=contributor, value=Vote.DOWN)


# --- accept -----------------------------------------------------------------------------------


def test_the_challenge_author_accepts_a_solution(challenge, solution):
    accepted = solutions.accept_solution(viewer=challenge.author.user, solution_id=solution.pk)

    assert accepted.is_accepted
    assert accepted.accepted_at is not None
    assert reputation_of(solution.author) == 15


def test_a_moderator_accepts_a_solution(moderator, solution):
    solutions.accept_solution(viewer=moderator.user, solution_id=solution.pk)

    assert Solution.objects.get(pk=solution.pk).is_accepted


def test_switching_the_accepted_solution_moves_the_reputation(challenge):
    first, second = SolutionFactory.create_batch(2, challenge=challenge)
    author = challenge.author.user

    solutions.accept_solution(viewer=author, solution_id=first.pk)
    solutions.accept_solution(viewer=author, solution_id=second.pk)

    assert list(Solution.objects.filter(is_accepted=True)) == [second]
    assert Solution.objects.get(pk=first.pk).accepted_at is None
    assert reputation_of(first.author) == 0
    assert reputation_of(second.author) == 15


def test_accepting_the_accepted_solution_again_counts_once(challenge, solution):
    solutions.accept_solution(viewer=challenge.author.user, solution_id=solution.pk)
    solutions.accept_solution(viewer=challenge.author.user, solution_id=solution.pk)

    assert reputation_of(solution.author) == 15


def test_only_the_challenge_author_or_a_moderator_accepts(contributor, challenge):
    own_answer = SolutionFactory(challenge=challenge, author=contributor)
    before = row_counts()

    assert errors_of(
        solutions.accept_solution, viewer=contributor.user, solution_id=own_answer.pk
    ) == {(None, "FORBIDDEN")}
    assert errors_of(
        solutions.accept_solution, viewer=AnonymousUser(), solution_id=own_answer.pk
    ) == {(None, "UNAUTHENTICATED")}
    assert row_counts() == before
    assert not Solution.objects.filter(is_accepted=True).exists()
    assert reputation_of(contributor) == 0


def test_accept_of_unknown_invisible_or_unpublished_solutions(challenge, moderator):
    hidden = SolutionFactory(challenge=challenge, status=ContentStatus.HIDDEN)
    author = challenge.author.user

    for pk in (hidden.pk, 999_999):
        assert errors_of(solutions.accept_solution, viewer=author, solution_id=pk) == {
            ("solution_id", "NOT_FOUND")
        }
    assert errors_of(solutions.accept_solution, viewer=moderator.user, solution_id=hidden.pk) == {
        ("solution_id", "NOT_ALLOWED")
    }
    assert not Solution.objects.filter(is_accepted=True).exists()


def test_the_database_allows_one_accepted_solution_per_challenge(challenge):
    SolutionFactory(challenge=challenge, is_accepted=True)
    SolutionFactory(is_accepted=True)  # another challenge's is fine

    with pytest.raises(IntegrityError), transaction.atomic():
        SolutionFactory(challenge=challenge, is_accepted=True)

    second = SolutionFactory(challenge=challenge)
    with pytest.raises(IntegrityError), transaction.atomic():
        Solution.objects.filter(pk=second.pk).update(is_accepted=True)


# --- reputation -------------------------------------------------------------------------------


def test_reputation_adds_up_over_solutions_and_challenges():
    author = ContributorFactory()
    a, b = ChallengeFactory.create_batch(2)
    on_a = SolutionFactory(challenge=a, author=author)
    on_b = SolutionFactory(challenge=b, author=author)
    voters = ContributorFactory.create_batch(4)
    for voter in voters[:3]:
        solutions.vote_solution(viewer=voter.user, solution_id=on_a.pk, value="UP")
    solutions.vote_solution(viewer=voters[3].user, solution_id=on_a.pk, value="DOWN")
    for voter in voters[:2]:
        solutions.vote_solution(viewer=voter.user, solution_id=on_b.pk, value="DOWN")
    solutions.accept_solution(viewer=a.author.user, solution_id=on_a.pk)
    solutions.accept_solution(viewer=b.author.user, solution_id=on_b.pk)

    assert reputation_of(author) == (3 * 10 - 2 + 15) + (-2 * 2 + 15)

    solutions.vote_solution(viewer=voters[0].user, solution_id=on_a.pk, value="CLEAR")
    solutions.vote_solution(viewer=voters[3].user, solution_id=on_a.pk, value="UP")
    other = SolutionFactory(challenge=b)
    solutions.accept_solution(viewer=b.author.user, solution_id=other.pk)

    assert reputation_of(author) == (3 * 10 + 15) + (-2 * 2)
    assert reputation_of(other.author) == 15
    for voter in voters:
        assert reputation_of(voter) == 0


# --- concurrency (PostgreSQL) -----------------------------------------------------------------


def run_concurrently(targets) -> list[Exception]:
    """Run each callable in its own thread (own DB connection), released together."""
    barrier = threading.Barrier(len(targets))
    failures: list[Exception] = []

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return failures


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_upvotes_are_all_counted():
    solution = SolutionFactory()
    voters = ContributorFactory.create_batch(20)
    users = [get_user_model().objects.get(pk=v.user_id) for v in voters]

    failures = run_concurrently(
        [
            lambda user=user: solutions.vote_solution(
                viewer=user, solution_id=solution.pk, value="UP"
            )
            for user in users
        ]
    )

    assert failures == []
    assert score_of(solution) == 20
    assert Vote.objects.filter(solution=solution).count() == 20
    assert reputation_of(solution.author) == 200


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_leave_exactly_one_accepted_solution():
    challenge = ChallengeFactory()
    answers = SolutionFactory.create_batch(10, challenge=challenge)
    # One user object per thread: each thread resolves its own profile and permissions.
    users = [get_user_model().objects.get(pk=challenge.author.user_id) for _ in answers]

    failures = run_concurrently(
        [
            lambda user=user, pk=answer.pk: solutions.accept_solution(viewer=user, solution_id=pk)
            for user, answer in zip(users, answers, strict=True)
        ]
    )

    assert failures == []
    accepted = list(Solution.objects.filter(challenge=challenge, is_accepted=True))
    assert len(accepted) == 1
    reputations = {a.pk: reputation_of(a.author) for a in answers}
    assert reputations == {a.pk: 15 if a.pk == accepted[0].pk else 0 for a in answers}

    second = next(a for a in answers if a.pk != accepted[0].pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Solution.objects.filter(pk=second.pk).update(is_accepted=True)


# --- accepting one's own answer -----------------------------------------------------------------


def _rule_reputation(contributor) -> int:
    """What the README's rule gives from the votes and accepts that exist now."""
    total = 0
    for solution in Solution.objects.filter(author=contributor).select_related("challenge"):
        total += sum(reputation.get_vote_worth(v.value) for v in solution.votes.all())
        if solution.is_accepted:
            total += reputation.get_accepted_worth(solution.author_id, solution.challenge.author_id)
    return total


def test_accepting_ones_own_answer_earns_no_reputation():
    challenge = ChallengeFactory()
    own = SolutionFactory(challenge=challenge, author=challenge.author)

    solutions.accept_solution(viewer=challenge.author.user, solution_id=own.pk)

    assert Solution.objects.get(pk=own.pk).is_accepted
    assert reputation_of(challenge.author) == 0


# Steps on one challenge: accept or delete its author's own answer ("own") or another's.
STEPS = [
    ("accept", "own"),
    ("accept", "other"),
    ("accept", "third"),
    ("delete", "own"),
    ("delete", "other"),
]


@pytest.mark.parametrize(
    "sequence",
    [list(p) for p in itertools.permutations(STEPS, 3)],
    ids=lambda seq: " ".join(f"{a}-{w}" for a, w in seq),
)
def test_reputation_follows_the_rule_over_any_sequence_of_accepts_and_deletes(sequence):
    challenge = ChallengeFactory()
    answers = {
        "own": SolutionFactory(challenge=challenge, author=challenge.author),
        "other": SolutionFactory(challenge=challenge),
        "third": SolutionFactory(challenge=challenge),
    }
    voter = ContributorFactory()
    for name in ("own", "other"):
        solutions.vote_solution(viewer=voter.user, solution_id=answers[name].pk, value="UP")
    deleted = set()
    for action, name in sequence:
        if name in deleted:
            continue
        if action == "accept":
            solutions.accept_solution(viewer=challenge.author.user, solution_id=answers[name].pk)
        else:
            solutions.delete_solution(
                viewer=challenge.author.user if name == "own" else answers[name].author.user,
                solution_id=answers[name].pk,
            )
            deleted.add(name)

    for answer in answers.values():
        assert reputation_of(answer.author) == _rule_reputation(answer.author)
    assert reputation_of(challenge.author) == (0 if "own" in deleted else 10)
