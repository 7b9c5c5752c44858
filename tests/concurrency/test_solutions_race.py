"""submitSolution, updateSolution, deleteSolution, voteSolution, acceptSolution raced."""

import itertools

import pytest
from django.contrib.contenttypes.models import ContentType

from hub.models import Contributor, Revision, Solution, Vote
from hub.services import reputation
from tests.concurrency.conftest import THREADS, gid, token_of
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory

SUBMIT = """
mutation($input: SubmitSolutionInput!) {
  submitSolution(input: $input) { solution { id } errors { field code } }
}"""
UPDATE = """
mutation($input: UpdateSolutionInput!) {
  updateSolution(input: $input) { solution { body } errors { field code } }
}"""
DELETE = """
mutation($input: DeleteInput!) { deleteSolution(input: $input) { deletedId errors { code } } }
"""
VOTE = """
mutation($input: VoteSolutionInput!) {
  voteSolution(input: $input) { solution { score } errors { field code } }
}"""
ACCEPT = """
mutation($input: AcceptSolutionInput!) {
  acceptSolution(input: $input) { solution { isAccepted } errors { field code } }
}"""


def _vote(solution, value, voter):
    return (VOTE, {"input": {"solutionId": gid(solution), "value": value}}, token_of(voter))


def _accept(solution, by):
    return (ACCEPT, {"input": {"solutionId": gid(solution)}}, token_of(by))


def _voted_and_accepted(race):
    """Somebody's answer to another's challenge, with up- and downvotes, accepted."""
    solution = SolutionFactory()
    for value in ("UP", "UP", "DOWN"):
        race.one(*_vote(solution, value, ContributorFactory()))
    race.one(*_accept(solution, solution.challenge.author))
    assert Contributor.objects.get(pk=solution.author_id).reputation == 10 + 10 - 2 + 15
    return solution


@pytest.mark.mutations("submitSolution")
def test_parallel_answers_to_one_challenge_are_all_kept(race):
    challenge = ChallengeFactory()
    calls = [
        (SUBMIT, {"input": {"challengeId": gid(challenge), "body": f"Answer {i}"}}, token_of(c))
        for i, c in enumerate(ContributorFactory() for _ in range(THREADS))
    ]
    assert race.run("submitSolution same challenge", calls) == ["OK"] * THREADS
    assert sorted(Solution.objects.values_list("body", flat=True)) == sorted(
        f"Answer {i}" for i in range(THREADS)
    )


@pytest.mark.mutations("updateSolution")
def test_parallel_edits_of_one_solution_keep_every_revision(race):
    solution = SolutionFactory(body="Original")
    token = token_of(solution.author)
    bodies = [f"Edit {i}" for i in range(THREADS)]
    calls = [(UPDATE, {"input": {"id": gid(solution), "body": b}}, token) for b in bodies]
    assert race.run("updateSolution", calls) == ["OK"] * THREADS
    solution.refresh_from_db()
    revisions = Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Solution), object_id=solution.pk
    )
    assert sorted(revisions.values_list("body", flat=True)) == sorted(
        {"Original", *bodies} - {solution.body}
    )


@pytest.mark.mutations("deleteSolution")
def test_parallel_deletes_of_one_solution_move_reputation_once(race):
    solution = _voted_and_accepted(race)
    call = (DELETE, {"input": {"id": gid(solution)}}, token_of(solution.author))
    outcomes = race.run("deleteSolution same solution", [call] * THREADS)
    assert sorted(outcomes) == ["NOT_FOUND"] * (THREADS - 1) + ["OK"]
    assert not Solution.objects.exists() and not Vote.objects.exists()
    assert Contributor.objects.get(pk=solution.author_id).reputation == 0


@pytest.mark.mutations("deleteSolution", "voteSolution", "acceptSolution")
def test_a_solution_deleted_while_it_is_voted_on_and_accepted(race):
    solution = SolutionFactory()
    rival = SolutionFactory(challenge=solution.challenge)
    race.one(*_accept(rival, solution.challenge.author))
    calls = [(DELETE, {"input": {"id": gid(solution)}}, token_of(solution.author))]
    calls += [_vote(solution, ("UP", "DOWN")[i % 2], ContributorFactory()) for i in range(4)]
    calls += [_accept(solution, solution.challenge.author)] * 2
    calls += [_accept(rival, solution.challenge.author)]
    deleted, *others = race.run("deleteSolution vs votes and accepts", calls)
    assert deleted == "OK" and set(others) <= {"OK", "NOT_FOUND"}
    assert list(Solution.objects.all()) == [rival]
    rival.refresh_from_db()
    # Unless an accept of the deleted solution came between, the rival is the answer.
    assert rival.is_accepted or "OK" in others[4:6]
    assert Contributor.objects.get(pk=solution.author_id).reputation == 0


@pytest.mark.mutations("voteSolution")
def test_one_voter_changing_a_vote_in_parallel_leaves_one_vote(race):
    solution = SolutionFactory()
    voter = ContributorFactory()
    values = list(itertools.islice(itertools.cycle(["UP", "DOWN", "CLEAR"]), THREADS))
    calls = [_vote(solution, value, voter) for value in values]
    assert race.run("voteSolution one voter UP/DOWN/CLEAR", calls) == ["OK"] * THREADS
    assert Vote.objects.filter(voter=voter).count() <= 1
    solution.refresh_from_db()
    assert solution.score in (Vote.UP, Vote.DOWN, 0)


@pytest.mark.mutations("voteSolution")
def test_many_voters_in_parallel_make_an_exact_score(race):
    solution = SolutionFactory()
    voters = [ContributorFactory() for _ in range(THREADS)]
    # Each voter votes twice at once (its second vote may land first), UP then DOWN or CLEAR.
    calls = [_vote(solution, "UP", v) for v in voters]
    calls += [_vote(solution, ("DOWN", "CLEAR")[i % 2], v) for i, v in enumerate(voters)]
    assert race.run("voteSolution many voters", calls) == ["OK"] * len(calls)
    solution.refresh_from_db()
    votes = list(Vote.objects.filter(solution=solution).values_list("value", flat=True))
    assert solution.score == sum(votes) and len(votes) <= THREADS
    assert Contributor.objects.get(pk=solution.author_id).reputation == sum(
        reputation.get_vote_worth(v) for v in votes
    )


@pytest.mark.mutations("acceptSolution")
def test_parallel_accepts_on_one_challenge_leave_one_answer(race):
    challenge = ChallengeFactory()
    # The author's own answer is among them: accepting it earns nothing.
    solutions = [SolutionFactory(challenge=challenge) for _ in range(THREADS - 1)]
    solutions.append(SolutionFactory(challenge=challenge, author=challenge.author))
    calls = [_accept(s, challenge.author) for s in solutions]
    assert race.run("acceptSolution solutions of one challenge", calls) == ["OK"] * THREADS
    accepted = Solution.objects.get(challenge=challenge, is_accepted=True)
    expected = {s.author_id: 0 for s in solutions}
    expected[accepted.author_id] = reputation.get_accepted_worth(
        accepted.author_id, challenge.author_id
    )
    assert dict(Contributor.objects.values_list("pk", "reputation")) == expected
