"""submitChallenge, bulkSubmitChallenges, updateChallenge, deleteChallenge raced, and a
challenge deleted while answers and comments arrive."""

import pytest
from django.contrib.contenttypes.models import ContentType

from hub.models import Challenge, Comment, Revision, Solution, Vote
from tests.concurrency.conftest import THREADS, gid, token_of
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    SolutionFactory,
    TechnologyFactory,
)

SUBMIT = """
mutation($input: SubmitChallengeInput!) {
  submitChallenge(input: $input) { challenge { slug } errors { field code } }
}"""
BULK = """
mutation($input: BulkSubmitChallengesInput!) {
  bulkSubmitChallenges(input: $input) { challenges { slug } errors { field code index } }
}"""
UPDATE = """
mutation($input: UpdateChallengeInput!) {
  updateChallenge(input: $input) { challenge { title } errors { field code } }
}"""
DELETE = """
mutation($input: DeleteInput!) { deleteChallenge(input: $input) { deletedId errors { code } } }
"""
SUBMIT_SOLUTION = """
mutation($input: SubmitSolutionInput!) {
  submitSolution(input: $input) { solution { id } errors { field code } }
}"""
ADD_COMMENT = """
mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } errors { code } } }
"""


def _challenge(title):
    return {"title": title, "description": f"About {title}."}


@pytest.mark.mutations("submitChallenge")
def test_parallel_challenges_with_one_title_get_distinct_slugs(race):
    authors = [ContributorFactory() for _ in range(THREADS)]
    calls = [(SUBMIT, {"input": _challenge("Deadlocks in Celery")}, token_of(a)) for a in authors]
    assert race.run("submitChallenge same title", calls) == ["OK"] * THREADS
    slugs = set(Challenge.objects.values_list("slug", flat=True))
    assert len(slugs) == THREADS
    assert "deadlocks-in-celery" in slugs


@pytest.mark.mutations("bulkSubmitChallenges")
def test_parallel_bulks_with_overlapping_titles_create_every_item_once(race):
    titles = ["Alpha race", "Beta race", "Gamma race", "Delta race"]
    calls = []
    for i in range(THREADS):
        # Each bulk lists the shared titles in another order (a cycle of waits if the
        # service inserted them as given), plus one bad item that must write nothing.
        order = titles[i % len(titles) :] + titles[: i % len(titles)]
        items = [_challenge(t) for t in (order if i % 2 else order[::-1])] + [{"title": ""}]
        calls.append((BULK, {"input": {"challenges": items}}, token_of(ContributorFactory())))
    assert race.run("bulkSubmitChallenges overlapping titles", calls) == ["REQUIRED"] * THREADS
    assert Challenge.objects.count() == THREADS * len(titles)
    assert Challenge.objects.values("slug").distinct().count() == THREADS * len(titles)
    for title in titles:
        assert Challenge.objects.filter(title=title).count() == THREADS


@pytest.mark.mutations("updateChallenge")
def test_parallel_edits_end_as_one_of_them_with_every_revision_kept(race):
    challenge = ChallengeFactory(title="Original")
    techs = [TechnologyFactory() for _ in range(THREADS)]
    token = token_of(challenge.author)
    calls = [
        (
            UPDATE,
            {"input": {"id": gid(challenge), "title": f"Edit {i}", "technologies": [t.slug]}},
            token,
        )
        for i, t in enumerate(techs)
    ]
    assert race.run("updateChallenge", calls) == ["OK"] * THREADS
    challenge.refresh_from_db()
    winner = int(challenge.title.removeprefix("Edit "))
    assert list(challenge.technologies.all()) == [techs[winner]]  # one edit's fields, whole
    revisions = Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Challenge), object_id=challenge.pk
    )
    # Serially each edit replaced a different title: one revision each, "Original" among them.
    assert revisions.count() == THREADS
    assert sorted(revisions.values_list("title", flat=True)) == sorted(
        ["Original", *(f"Edit {i}" for i in range(THREADS) if i != winner)]
    )


def _answered_challenge():
    """A challenge by its author with its own answer, voted on and accepted."""
    challenge = ChallengeFactory()
    own = SolutionFactory(challenge=challenge, author=challenge.author, is_accepted=True)
    Vote.objects.create(solution=own, voter=ContributorFactory(), value=Vote.UP)
    Solution.objects.filter(pk=own.pk).update(score=1)
    type(challenge.author).objects.filter(pk=challenge.author.pk).update(reputation=10)
    return challenge


@pytest.mark.mutations("deleteChallenge")
def test_parallel_deletes_of_one_challenge_succeed_once(race):
    challenge = _answered_challenge()
    call = (DELETE, {"input": {"id": gid(challenge)}}, token_of(challenge.author))
    outcomes = race.run("deleteChallenge same challenge", [call] * THREADS)
    assert sorted(outcomes) == ["NOT_FOUND"] * (THREADS - 1) + ["OK"]
    assert not Challenge.objects.exists() and not Solution.objects.exists()
    challenge.author.refresh_from_db()
    assert challenge.author.reputation == 0  # withdrawn once (the fixture checks the rule too)


@pytest.mark.mutations("deleteChallenge", "submitSolution", "addComment")
@pytest.mark.parametrize("deleter", ["moderator", "author"])
def test_a_challenge_deleted_while_answers_and_comments_arrive(race, deleter):
    challenge = ChallengeFactory()
    by = ContributorFactory(user__is_staff=True) if deleter == "moderator" else challenge.author
    others = [ContributorFactory() for _ in range(THREADS - 1)]
    calls = [(DELETE, {"input": {"id": gid(challenge)}}, token_of(by))]
    for i, other in enumerate(others):
        if i % 2:
            variables = {"input": {"targetId": gid(challenge), "body": "A comment."}}
            calls.append((ADD_COMMENT, variables, token_of(other)))
        else:
            variables = {"input": {"challengeId": gid(challenge), "body": "An answer."}}
            calls.append((SUBMIT_SOLUTION, variables, token_of(other)))
    deleted, *writes = race.run(f"deleteChallenge ({deleter}) vs answers", calls)
    # A serial order: writes before the delete succeed, writes after it are NOT_FOUND; the
    # author's delete is NOT_ALLOWED once somebody else has answered.
    assert set(writes) <= {"OK", "NOT_FOUND"}
    answered = any(o == "OK" for o in writes[0::2])
    if deleted == "OK":
        assert not Challenge.objects.exists()
        assert not Solution.objects.exists() and not Comment.objects.exists()
        assert deleter == "moderator" or not answered
    else:
        assert (deleter, deleted, answered) == ("author", "NOT_ALLOWED", True)
        assert "NOT_FOUND" not in writes
        assert Solution.objects.count() == writes[0::2].count("OK")
        assert Comment.objects.count() == writes[1::2].count("OK")
