"""Solution mutations over HTTP: submit, update, delete, vote, accept; reputation."""

import pytest
from graphql_relay import to_global_id

from hub.models import ContentStatus, Solution, Vote
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory
from tests.schema.helpers import client_for, global_id, nodes
from tests.schema.mutation_helpers import anonymous, field_errors, refused, row_counts

SUBMIT = """
mutation Submit($input: SubmitSolutionInput!) {
  submitSolution(input: $input) {
    solution { id body bodyHtml status score isAccepted author { username } challenge { title } }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateSolutionInput!) {
  updateSolution(input: $input) {
    solution { body revisions { totalCount edges { node { body editor { username } } } } }
    errors { field message code }
  }
}
"""

DELETE = """
mutation Delete($input: DeleteInput!) {
  deleteSolution(input: $input) { deletedId errors { field message code } }
}
"""

VOTE = """
mutation Vote($input: VoteSolutionInput!) {
  voteSolution(input: $input) {
    solution { id score viewerVote author { reputation } }
    errors { field message code }
  }
}
"""

ACCEPT = """
mutation Accept($input: AcceptSolutionInput!) {
  acceptSolution(input: $input) {
    challenge { acceptedSolution { id } solutions { edges { node { id isAccepted } } } }
    solution { id isAccepted }
    errors { field message code }
  }
}
"""

REPUTATION = """
query Reputation($username: String!) { contributor(username: $username) { reputation } }
"""


@pytest.fixture
def challenge(db):
    return ChallengeFactory(title="Slow tests")


@pytest.fixture
def solution(challenge):
    return SolutionFactory(challenge=challenge, body="Use a faster hasher.")


def reputation(contributor) -> int:
    data = anonymous().query(REPUTATION, {"username": contributor.username})
    return data["contributor"]["reputation"]


def vote(client, solution, value) -> dict:
    variables = {"input": {"solutionId": global_id("Solution", solution), "value": value}}
    return client.query(VOTE, variables)["voteSolution"]


def accept(client, solution) -> dict:
    variables = {"input": {"solutionId": global_id("Solution", solution)}}
    return client.query(ACCEPT, variables)["acceptSolution"]


# --- submitSolution ---------------------------------------------------------------------------


def test_submit_a_solution(member_gql, contributor, challenge):
    result = member_gql.query(
        SUBMIT, {"input": {"challengeId": global_id("Challenge", challenge), "body": "Use **X**."}}
    )["submitSolution"]

    assert result["errors"] == []
    solution = result["solution"]
    assert solution["body"] == "Use **X**."
    assert "<strong>X</strong>" in solution["bodyHtml"]
    assert (solution["status"], solution["score"], solution["isAccepted"]) == (
        "PUBLISHED",
        0,
        False,
    )
    assert solution["author"] == {"username": contributor.username}
    assert solution["challenge"] == {"title": "Slow tests"}
    assert solution["id"] == global_id("Solution", Solution.objects.get())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, ("body", "REQUIRED")),
        ("", ("body", "REQUIRED")),
        ("b" * 20_001, ("body", "TOO_LONG")),
        ("FREE MONEY", ("body", "INVALID")),
        ("\n".join(f"https://s{i}.example" for i in range(9)), ("body", "INVALID")),
    ],
)
def test_submit_rejects_a_bad_body_and_writes_nothing(member_gql, challenge, body, expected):
    before = row_counts()

    result = member_gql.query(
        SUBMIT, {"input": {"challengeId": global_id("Challenge", challenge), "body": body}}
    )["submitSolution"]

    assert field_errors(result) == {expected}
    assert result["solution"] is None
    assert row_counts() == before


def test_submit_to_an_unknown_garbled_or_invisible_challenge(member_gql):
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    a_solution = SolutionFactory()
    before = row_counts()

    for challenge_id in (
        global_id("Challenge", hidden),
        to_global_id("Challenge", 999_999),
        global_id("Solution", a_solution),
        "%%%",
    ):
        result = member_gql.query(SUBMIT, {"input": {"challengeId": challenge_id, "body": "Hi."}})
        assert field_errors(result["submitSolution"]) == {("challengeId", "NOT_FOUND")}
    assert row_counts() == before


def test_own_unpublished_challenges_take_no_answers(member_gql, contributor):
    pending = ChallengeFactory(author=contributor, status=ContentStatus.PENDING)

    result = member_gql.query(
        SUBMIT, {"input": {"challengeId": global_id("Challenge", pending), "body": "Hi."}}
    )

    assert field_errors(result["submitSolution"]) == {("challengeId", "NOT_ALLOWED")}
    assert not Solution.objects.exists()


def test_submit_needs_a_signed_in_user(challenge):
    variables = {"input": {"challengeId": global_id("Challenge", challenge), "body": "Hi."}}

    assert refused(anonymous(), SUBMIT, variables) == "UNAUTHENTICATED"
    assert not Solution.objects.exists()


# --- updateSolution / deleteSolution ----------------------------------------------------------


def test_update_a_solution_keeps_revisions(member_gql, contributor, challenge):
    solution = SolutionFactory(challenge=challenge, author=contributor, body="v1")
    solution_id = global_id("Solution", solution)

    member_gql.query(UPDATE, {"input": {"id": solution_id, "body": "v2"}})
    result = member_gql.query(UPDATE, {"input": {"id": solution_id, "body": "v3"}})

    updated = result["updateSolution"]["solution"]
    assert updated["body"] == "v3"
    assert updated["revisions"]["totalCount"] == 2
    assert [(r["body"], r["editor"]["username"]) for r in nodes(updated["revisions"])] == [
        ("v2", contributor.username),
        ("v1", contributor.username),
    ]


def test_a_moderator_updates_anyones_solution(moderator, solution):
    result = client_for(moderator).query(
        UPDATE, {"input": {"id": global_id("Solution", solution), "body": "Edited."}}
    )["updateSolution"]

    assert result["solution"]["body"] == "Edited."
    assert nodes(result["solution"]["revisions"])[0]["editor"]["username"] == moderator.username


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", ("body", "REQUIRED")),
        ("b" * 20_001, ("body", "TOO_LONG")),
        ("crypto giveaway", ("body", "INVALID")),
    ],
)
def test_update_rejects_a_bad_body(member_gql, contributor, challenge, body, expected):
    solution = SolutionFactory(challenge=challenge, author=contributor, body="Kept.")
    before = row_counts()

    result = member_gql.query(
        UPDATE, {"input": {"id": global_id("Solution", solution), "body": body}}
    )["updateSolution"]

    assert field_errors(result) == {expected}
    assert result["solution"] is None
    assert Solution.objects.get(pk=solution.pk).body == "Kept."
    assert row_counts() == before


def test_update_and_delete_refusals(member_gql, solution):
    variables = {"input": {"id": global_id("Solution", solution), "body": "Mine now."}}
    before = row_counts()

    assert refused(member_gql, UPDATE, variables) == "FORBIDDEN"
    assert refused(anonymous(), UPDATE, variables) == "UNAUTHENTICATED"
    delete_variables = {"input": {"id": global_id("Solution", solution)}}
    assert refused(member_gql, DELETE, delete_variables) == "FORBIDDEN"
    assert refused(anonymous(), DELETE, delete_variables) == "UNAUTHENTICATED"
    for bad_id in (
        to_global_id("Solution", 999_999),
        global_id("Challenge", solution.challenge),
        "x",
    ):
        result = member_gql.query(UPDATE, {"input": {"id": bad_id, "body": "B"}})
        assert field_errors(result["updateSolution"]) == {("id", "NOT_FOUND")}
        result = member_gql.query(DELETE, {"input": {"id": bad_id}})
        assert field_errors(result["deleteSolution"]) == {("id", "NOT_FOUND")}
    assert Solution.objects.get(pk=solution.pk).body == "Use a faster hasher."
    assert row_counts() == before


def test_delete_a_solution_and_what_it_earned(member_gql, contributor, challenge):
    solution = SolutionFactory(challenge=challenge, author=contributor)
    vote(client_for(ContributorFactory()), solution, "UP")
    assert reputation(contributor) == 10

    solution_id = global_id("Solution", solution)
    result = member_gql.query(DELETE, {"input": {"id": solution_id}})["deleteSolution"]

    assert result == {"deletedId": solution_id, "errors": []}
    assert not Solution.objects.exists()
    assert reputation(contributor) == 0


# --- voteSolution -----------------------------------------------------------------------------


def test_vote_up_down_and_clear(member_gql, solution):
    result = vote(member_gql, solution, "UP")
    assert result["errors"] == []
    assert result["solution"]["score"] == 1
    assert result["solution"]["viewerVote"] == "UP"
    assert result["solution"]["author"]["reputation"] == 10

    result = vote(member_gql, solution, "DOWN")
    assert (result["solution"]["score"], result["solution"]["viewerVote"]) == (-1, "DOWN")
    assert result["solution"]["author"]["reputation"] == -2

    result = vote(member_gql, solution, "CLEAR")
    assert (result["solution"]["score"], result["solution"]["viewerVote"]) == (0, None)
    assert reputation(solution.author) == 0
    assert not Vote.objects.exists()


def test_the_same_vote_twice_counts_once(member_gql, solution):
    vote(member_gql, solution, "UP")
    result = vote(member_gql, solution, "UP")

    assert result["solution"]["score"] == 1
    assert reputation(solution.author) == 10


def test_viewer_vote_is_the_viewers_own(member_gql, solution):
    vote(member_gql, solution, "DOWN")
    vote(client_for(ContributorFactory()), solution, "UP")
    query = """
    query($slug: String!) {
      challenge(slug: $slug) { solutions { edges { node { score viewerVote } } } }
    }
    """

    mine = member_gql.query(query, {"slug": solution.challenge.slug})
    theirs = anonymous().query(query, {"slug": solution.challenge.slug})

    assert nodes(mine["challenge"]["solutions"]) == [{"score": 0, "viewerVote": "DOWN"}]
    assert nodes(theirs["challenge"]["solutions"]) == [{"score": 0, "viewerVote": None}]


def test_nobody_votes_on_their_own_solution(member_gql, contributor, challenge):
    own = SolutionFactory(challenge=challenge, author=contributor)
    before = row_counts()

    result = vote(member_gql, own, "UP")

    assert field_errors(result) == {("solutionId", "NOT_ALLOWED")}
    assert result["solution"] is None
    assert row_counts() == before
    assert reputation(contributor) == 0


def test_votes_on_unknown_garbled_or_invisible_solutions(member_gql, challenge):
    hidden = SolutionFactory(challenge=challenge, status=ContentStatus.HIDDEN)
    before = row_counts()

    for solution_id in (
        global_id("Solution", hidden),
        to_global_id("Solution", 999_999),
        global_id("Challenge", challenge),
        "💥",
    ):
        result = member_gql.query(VOTE, {"input": {"solutionId": solution_id, "value": "UP"}})
        assert field_errors(result["voteSolution"]) == {("solutionId", "NOT_FOUND")}
    assert row_counts() == before


def test_a_moderator_cannot_vote_on_a_hidden_solution(moderator, challenge):
    hidden = SolutionFactory(challenge=challenge, status=ContentStatus.HIDDEN)

    result = vote(client_for(moderator), hidden, "UP")

    assert field_errors(result) == {("solutionId", "NOT_ALLOWED")}
    assert not Vote.objects.exists()


def test_an_unknown_vote_value_is_rejected_by_the_schema(member_gql, solution):
    variables = {"input": {"solutionId": global_id("Solution", solution), "value": "SIDEWAYS"}}

    response = member_gql.query(VOTE, variables, expect_errors=True)

    assert "SIDEWAYS" in response["errors"][0]["message"]
    assert not Vote.objects.exists()


def test_voting_needs_a_signed_in_user(solution):
    variables = {"input": {"solutionId": global_id("Solution", solution), "value": "UP"}}

    assert refused(anonymous(), VOTE, variables) == "UNAUTHENTICATED"
    assert refused(anonymous(), VOTE, {"input": {"solutionId": "??", "value": "UP"}}) == (
        "UNAUTHENTICATED"
    )
    assert not Vote.objects.exists()


# --- acceptSolution ---------------------------------------------------------------------------


def test_the_challenge_author_accepts_a_solution(challenge):
    low, high = SolutionFactory.create_batch(2, challenge=challenge)
    Solution.objects.filter(pk=high.pk).update(score=5)

    result = accept(client_for(challenge.author), low)

    assert result["errors"] == []
    assert result["solution"] == {"id": global_id("Solution", low), "isAccepted": True}
    assert result["challenge"]["acceptedSolution"] == {"id": global_id("Solution", low)}
    # The accepted solution comes first, then by score.
    assert [n["id"] for n in nodes(result["challenge"]["solutions"])] == [
        global_id("Solution", low),
        global_id("Solution", high),
    ]
    assert reputation(low.author) == 15


def test_switching_the_accepted_solution_moves_the_reputation(challenge, moderator):
    first, second = SolutionFactory.create_batch(2, challenge=challenge)

    accept(client_for(challenge.author), first)
    result = accept(client_for(moderator), second)

    assert result["challenge"]["acceptedSolution"] == {"id": global_id("Solution", second)}
    assert [n["isAccepted"] for n in nodes(result["challenge"]["solutions"])] == [True, False]
    assert (reputation(first.author), reputation(second.author)) == (0, 15)


def test_only_the_challenge_author_or_a_moderator_accepts(member_gql, contributor, challenge):
    own = SolutionFactory(challenge=challenge, author=contributor)
    variables = {"input": {"solutionId": global_id("Solution", own)}}
    before = row_counts()

    assert refused(member_gql, ACCEPT, variables) == "FORBIDDEN"
    assert refused(anonymous(), ACCEPT, variables) == "UNAUTHENTICATED"
    assert row_counts() == before
    assert not Solution.objects.filter(is_accepted=True).exists()
    assert reputation(contributor) == 0


def test_accept_unknown_garbled_invisible_or_unpublished(challenge, moderator):
    hidden = SolutionFactory(challenge=challenge, status=ContentStatus.HIDDEN)
    author = client_for(challenge.author)

    for solution_id in (global_id("Solution", hidden), to_global_id("Solution", 999_999), "zzz"):
        result = author.query(ACCEPT, {"input": {"solutionId": solution_id}})
        assert field_errors(result["acceptSolution"]) == {("solutionId", "NOT_FOUND")}
        assert result["acceptSolution"]["challenge"] is None
    result = accept(client_for(moderator), hidden)
    assert field_errors(result) == {("solutionId", "NOT_ALLOWED")}
    assert not Solution.objects.filter(is_accepted=True).exists()


# --- reputation -------------------------------------------------------------------------------


def test_reputation_follows_votes_and_acceptance(challenge):
    answer = SolutionFactory(challenge=challenge)
    author = answer.author
    voters = [client_for(c) for c in ContributorFactory.create_batch(3)]

    vote(voters[0], answer, "UP")
    vote(voters[1], answer, "UP")
    vote(voters[2], answer, "DOWN")
    assert reputation(author) == 10 + 10 - 2

    accept(client_for(challenge.author), answer)
    assert reputation(author) == 18 + 15

    vote(voters[2], answer, "CLEAR")
    vote(voters[0], answer, "DOWN")
    assert reputation(author) == 10 - 2 + 15

    other = SolutionFactory(challenge=challenge)
    accept(client_for(challenge.author), other)
    assert reputation(author) == 8
    assert reputation(other.author) == 15
