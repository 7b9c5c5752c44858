"""addComment, submitLearning, updateLearning, moderate, flagContent, resolveFlag and
restoreRevision raced."""

import pytest
from django.contrib.contenttypes.models import ContentType

from hub.models import (
    Comment,
    ContentStatus,
    Flag,
    Learning,
    ModerationAction,
    ModerationActionKind,
    Revision,
    Solution,
)
from tests.concurrency.conftest import THREADS, gid, token_of
from tests.factories import ContributorFactory, LearningFactory, SolutionFactory

ADD_COMMENT = """
mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } errors { code } } }
"""
SUBMIT_LEARNING = """
mutation($input: SubmitLearningInput!) {
  submitLearning(input: $input) { learning { slug } errors { field code } }
}"""
UPDATE_LEARNING = """
mutation($input: UpdateLearningInput!) {
  updateLearning(input: $input) { learning { title } errors { field code } }
}"""
MODERATE = """
mutation($input: ModerateInput!) { moderate(input: $input) { node { id } errors { field code } } }
"""
FLAG = "mutation($input: FlagContentInput!) { flagContent(input: $input) { errors { code } } }"
RESOLVE = """
mutation($input: ResolveFlagInput!) { resolveFlag(input: $input) { flag { id } errors { code } } }
"""
RESTORE = """
mutation($input: RestoreRevisionInput!) {
  restoreRevision(input: $input) { node { id } errors { code } }
}"""
UPDATE_SOLUTION = """
mutation($input: UpdateSolutionInput!) { updateSolution(input: $input) { errors { code } } }
"""
DELETE_SOLUTION = """
mutation($input: DeleteInput!) { deleteSolution(input: $input) { deletedId errors { code } } }
"""


def _moderator():
    return ContributorFactory(user__is_staff=True)


@pytest.mark.mutations("addComment")
def test_parallel_comments_and_replies_in_one_thread_are_all_kept(race):
    solution = SolutionFactory()
    parent = Comment.objects.create(solution=solution, author=solution.author, body="Why?")
    calls = []
    for i in range(THREADS):
        fields = {"targetId": gid(solution), "body": f"Comment {i}"}
        if i % 2:
            fields["parentId"] = gid(parent)
        calls.append((ADD_COMMENT, {"input": fields}, token_of(ContributorFactory())))
    assert race.run("addComment one thread", calls) == ["OK"] * THREADS
    assert Comment.objects.filter(parent=parent).count() == THREADS // 2
    assert Comment.objects.filter(solution=solution).count() == THREADS + 1


@pytest.mark.mutations("addComment", "deleteSolution")
def test_comments_on_a_solution_being_deleted_are_kept_or_not_found(race):
    solution = SolutionFactory()
    calls = [(DELETE_SOLUTION, {"input": {"id": gid(solution)}}, token_of(solution.author))]
    calls += [
        (ADD_COMMENT, {"input": {"targetId": gid(solution), "body": "Late."}}, token_of(c))
        for c in (ContributorFactory() for _ in range(THREADS - 1))
    ]
    deleted, *comments = race.run("addComment vs deleteSolution", calls)
    assert deleted == "OK" and set(comments) <= {"OK", "NOT_FOUND"}
    assert not Solution.objects.exists() and not Comment.objects.exists()


@pytest.mark.mutations("submitLearning")
def test_parallel_learnings_with_one_title_get_distinct_slugs(race):
    calls = [
        (
            SUBMIT_LEARNING,
            {"input": {"title": "Use select_related", "kind": "CONCEPT", "body": "Join."}},
            token_of(ContributorFactory()),
        )
        for _ in range(THREADS)
    ]
    assert race.run("submitLearning same title", calls) == ["OK"] * THREADS
    assert Learning.objects.values("slug").distinct().count() == THREADS


@pytest.mark.mutations("updateLearning")
def test_parallel_edits_of_one_learning_end_as_one_of_them(race):
    learning = LearningFactory(title="Original", summary="Original")
    token = token_of(learning.author)
    calls = [
        (
            UPDATE_LEARNING,
            {"input": {"id": gid(learning), "title": f"T{i}", "summary": f"T{i}"}},
            token,
        )
        for i in range(THREADS)
    ]
    assert race.run("updateLearning", calls) == ["OK"] * THREADS
    learning.refresh_from_db()
    assert learning.title == learning.summary  # one edit's fields, not a mix
    revisions = Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Learning), object_id=learning.pk
    )
    assert revisions.count() == THREADS


@pytest.mark.mutations("moderate")
def test_parallel_moderation_is_one_chain_of_actions(race):
    solution = SolutionFactory()
    moderators = [_moderator() for _ in range(THREADS)]
    calls = []
    for i, moderator in enumerate(moderators):
        fields = {"id": gid(solution), "action": ("PUBLISH", "HIDE")[i % 2], "reason": "Busy."}
        calls.append((MODERATE, {"input": fields}, token_of(moderator)))
    assert race.run("moderate PUBLISH/HIDE", calls) == ["OK"] * THREADS
    log = list(ModerationAction.objects.filter(object_id=solution.pk).order_by("created_at", "pk"))
    assert len(log) == THREADS
    # Serial: each action started from the status the one before it left.
    status = ContentStatus.PUBLISHED
    for action in log:
        assert action.from_status == status
        status = action.to_status
    solution.refresh_from_db()
    assert solution.status == status


@pytest.mark.mutations("flagContent")
def test_one_flag_raised_in_parallel_is_recorded_once(race):
    solution = SolutionFactory()
    call = (
        FLAG,
        {"input": {"id": gid(solution), "reason": "SPAM"}},
        token_of(ContributorFactory()),
    )
    outcomes = race.run("flagContent same flag", [call] * THREADS)
    assert sorted(outcomes) == ["DUPLICATE"] * (THREADS - 1) + ["OK"]
    assert Flag.objects.count() == 1


@pytest.mark.mutations("resolveFlag")
def test_one_flag_resolved_in_parallel_is_logged_once(race):
    solution = SolutionFactory()
    race.one(
        FLAG, {"input": {"id": gid(solution), "reason": "SPAM"}}, token_of(ContributorFactory())
    )
    flag = Flag.objects.get()
    calls = [
        (RESOLVE, {"input": {"id": gid(flag), "note": f"Done {i}."}}, token_of(_moderator()))
        for i in range(THREADS)
    ]
    assert race.run("resolveFlag same flag", calls) == ["OK"] * THREADS
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert ModerationAction.objects.filter(action=ModerationActionKind.RESOLVE_FLAG).count() == 1


@pytest.mark.mutations("restoreRevision")
def test_one_revision_restored_in_parallel_changes_the_text_once(race):
    solution = SolutionFactory(body="First")
    race.one(
        UPDATE_SOLUTION,
        {"input": {"id": gid(solution), "body": "Second"}},
        token_of(solution.author),
    )
    revision = Revision.objects.get()
    calls = [(RESTORE, {"input": {"id": gid(revision)}}, token_of(_moderator()))] * THREADS
    assert race.run("restoreRevision same revision", calls) == ["OK"] * THREADS
    solution.refresh_from_db()
    assert solution.body == "First"
    # The first restore kept "Second" as a revision; the others found the text already back.
    assert sorted(Revision.objects.values_list("body", flat=True)) == ["First", "Second"]
    actions = ModerationAction.objects.filter(action=ModerationActionKind.RESTORE_REVISION)
    assert actions.count() == THREADS
