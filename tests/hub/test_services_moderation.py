"""hub.services.moderation: moderate, flags, revision restores, and the moderation log."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType

from hub import selectors
from hub.models import (
    Challenge,
    Comment,
    ContentStatus,
    Flag,
    Learning,
    ModerationAction,
    ModerationActionKind,
    Revision,
    Solution,
    Technology,
)
from hub.permissions import MODERATORS_GROUP
from hub.services import challenges, learnings, moderation, solutions
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.hub.service_helpers import errors_of, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_moderator():
    contributor = ContributorFactory()
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    contributor.user.groups.add(group)
    return contributor


def log_of(target) -> list[tuple]:
    rows = ModerationAction.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).order_by("id")
    return [(r.moderator_id, r.action, r.reason, r.from_status, r.to_status) for r in rows]


def moderate(viewer, target, action, reason=None):
    return moderation.moderate_content(
        viewer=viewer, model=type(target), object_id=target.pk, action=action, reason=reason
    )


# --- moderate ---------------------------------------------------------------------------------


def test_publish_makes_pending_content_public_and_is_logged(moderator):
    learning = LearningFactory(status=ContentStatus.PENDING)

    result = moderate(moderator.user, learning, "PUBLISH")

    learning.refresh_from_db()
    assert result == learning
    assert learning.status == ContentStatus.PUBLISHED
    assert learning.published_at is not None
    assert selectors.get_content(model=Learning, viewer=AnonymousUser(), pk=learning.pk) == learning
    assert log_of(learning) == [(moderator.user.pk, "PUBLISH", "", "PENDING", "PUBLISHED")]


@pytest.mark.parametrize("action", ["REJECT", "HIDE"])
@pytest.mark.parametrize("factory", [LearningFactory, ChallengeFactory, SolutionFactory])
def test_reject_and_hide_take_content_out_of_view_with_a_reason(moderator, action, factory):
    target = factory()

    moderate(moderator.user, target, action, reason="  Off topic. ")

    target.refresh_from_db()
    assert target.status == {"REJECT": "REJECTED", "HIDE": "HIDDEN"}[action]
    assert selectors.get_content(model=type(target), viewer=AnonymousUser(), pk=target.pk) is None
    assert log_of(target) == [(moderator.user.pk, action, "Off topic.", "PUBLISHED", target.status)]


def test_comments_are_moderated_too(moderator):
    comment = Comment.objects.create(challenge=ChallengeFactory(), body="Rude.")

    moderate(moderator.user, comment, "HIDE", reason="Rude.")

    assert Comment.objects.get(pk=comment.pk).status == ContentStatus.HIDDEN
    assert [row[1] for row in log_of(comment)] == ["HIDE"]


@pytest.mark.parametrize("action", ["REJECT", "HIDE"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reject_and_hide_need_a_reason(moderator, action, reason):
    learning = LearningFactory(status=ContentStatus.PENDING)
    before = row_counts()

    assert errors_of(moderate, moderator.user, learning, action, reason) == {("reason", "REQUIRED")}
    assert Learning.objects.get(pk=learning.pk).status == ContentStatus.PENDING
    assert row_counts() == before


def test_a_reason_over_the_limit_is_too_long(moderator):
    learning = LearningFactory()

    assert errors_of(moderate, moderator.user, learning, "HIDE", "r" * 1001) == {
        ("reason", "TOO_LONG")
    }
    assert ModerationAction.objects.count() == 0


def test_moderators_of_the_group_moderate(group_moderator):
    learning = LearningFactory(status=ContentStatus.PENDING)

    moderate(group_moderator.user, learning, "PUBLISH")

    assert Learning.objects.get(pk=learning.pk).status == ContentStatus.PUBLISHED


def test_only_moderators_moderate(contributor):
    own = LearningFactory(author=contributor, status=ContentStatus.PENDING)
    before = row_counts()

    assert errors_of(moderate, contributor.user, own, "PUBLISH") == {(None, "FORBIDDEN")}
    assert errors_of(moderate, AnonymousUser(), own, "PUBLISH") == {(None, "UNAUTHENTICATED")}
    assert Learning.objects.get(pk=own.pk).status == ContentStatus.PENDING
    assert row_counts() == before


def test_moderate_unknown_content_or_unmoderated_kinds(moderator):
    assert errors_of(
        moderation.moderate_content,
        viewer=moderator.user,
        model=Learning,
        object_id=999_999,
        action="PUBLISH",
    ) == {("id", "NOT_FOUND")}
    technology = TechnologyFactory()
    assert errors_of(
        moderation.moderate_content,
        viewer=moderator.user,
        model=Technology,
        object_id=technology.pk,
        action="PUBLISH",
    ) == {("id", "INVALID")}
    assert errors_of(moderate, moderator.user, LearningFactory(), "RESTORE_REVISION") == {
        ("action", "INVALID")
    }
    assert ModerationAction.objects.count() == 0


def test_every_moderation_is_logged_in_order(moderator, group_moderator):
    learning = LearningFactory(status=ContentStatus.PENDING)

    moderate(moderator.user, learning, "REJECT", "Needs sources.")
    moderate(group_moderator.user, learning, "PUBLISH")
    moderate(moderator.user, learning, "HIDE", "Outdated.")

    assert log_of(learning) == [
        (moderator.user.pk, "REJECT", "Needs sources.", "PENDING", "REJECTED"),
        (group_moderator.user.pk, "PUBLISH", "", "REJECTED", "PUBLISHED"),
        (moderator.user.pk, "HIDE", "Outdated.", "PUBLISHED", "HIDDEN"),
    ]


# --- flags ------------------------------------------------------------------------------------


def flag(viewer, target, reason="SPAM", note=None):
    return moderation.flag_content(
        viewer=viewer, model=type(target), object_id=target.pk, reason=reason, note=note
    )


def test_a_contributor_flags_content_once(contributor):
    challenge = ChallengeFactory()

    created = flag(contributor.user, challenge, "OFFENSIVE", note="  Insults. ")

    assert created.target == challenge
    assert (created.reporter, created.reason, created.note) == (
        contributor,
        "OFFENSIVE",
        "Insults.",
    )
    assert created.resolved_at is None
    before = row_counts()
    assert errors_of(flag, contributor.user, challenge, "OTHER") == {("id", "DUPLICATE")}
    assert row_counts() == before


@pytest.mark.parametrize("factory", [ChallengeFactory, SolutionFactory, LearningFactory])
def test_every_kind_of_content_can_be_flagged_by_several_people(factory):
    target = factory()
    reporters = ContributorFactory.create_batch(2)

    for reporter in reporters:
        flag(reporter.user, target)

    assert Flag.objects.filter(object_id=target.pk).count() == 2


def test_flag_a_comment(contributor):
    comment = Comment.objects.create(challenge=ChallengeFactory(), body="Buy now.")

    assert flag(contributor.user, comment).target == comment


def test_flag_refusals(contributor):
    own = ChallengeFactory(author=contributor)
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    visible = ChallengeFactory()
    technology = TechnologyFactory()
    before = row_counts()

    assert errors_of(flag, contributor.user, own) == {("id", "NOT_ALLOWED")}
    assert errors_of(flag, contributor.user, hidden) == {("id", "NOT_FOUND")}
    assert errors_of(
        moderation.flag_content,
        viewer=contributor.user,
        model=Challenge,
        object_id=999_999,
        reason="SPAM",
    ) == {("id", "NOT_FOUND")}
    assert errors_of(flag, contributor.user, visible, "BORING") == {("reason", "INVALID")}
    assert errors_of(flag, contributor.user, visible, None) == {("reason", "REQUIRED")}
    assert errors_of(flag, contributor.user, visible, note="n" * 1001) == {("note", "TOO_LONG")}
    assert errors_of(flag, AnonymousUser(), visible) == {(None, "UNAUTHENTICATED")}
    assert errors_of(
        moderation.flag_content,
        viewer=contributor.user,
        model=Technology,
        object_id=technology.pk,
        reason="SPAM",
    ) == {("id", "INVALID")}
    assert row_counts() == before


def test_moderators_list_open_flags_newest_first(moderator, contributor):
    first = flag(contributor.user, ChallengeFactory())
    second = flag(contributor.user, SolutionFactory())
    resolved = flag(contributor.user, LearningFactory())
    moderation.resolve_flag(viewer=moderator.user, flag_id=resolved.pk)

    assert list(selectors.list_flags(viewer=moderator.user)) == [second, first]
    assert list(selectors.list_flags(viewer=moderator.user, open_only=False)) == [
        resolved,
        second,
        first,
    ]


def test_only_moderators_list_flags(contributor):
    flag(contributor.user, ChallengeFactory())

    assert errors_of(selectors.list_flags, viewer=contributor.user) == {(None, "FORBIDDEN")}
    assert errors_of(selectors.list_flags, viewer=AnonymousUser()) == {(None, "UNAUTHENTICATED")}
    assert selectors.get_flag(viewer=contributor.user, flag_id=Flag.objects.get().pk) is None


def test_resolving_a_flag_closes_it_once_and_logs_it(moderator, contributor):
    challenge = ChallengeFactory()
    open_flag = flag(contributor.user, challenge)

    resolved = moderation.resolve_flag(
        viewer=moderator.user, flag_id=open_flag.pk, note="Not spam."
    )
    moderation.resolve_flag(viewer=moderator.user, flag_id=open_flag.pk, note="Again.")

    resolved.refresh_from_db()
    assert resolved.resolved_at is not None
    assert resolved.resolved_by == moderator.user
    assert log_of(challenge) == [(moderator.user.pk, "RESOLVE_FLAG", "Not spam.", "", "")]


def test_only_moderators_resolve_flags(contributor):
    open_flag = flag(contributor.user, ChallengeFactory())
    before = row_counts()

    assert errors_of(moderation.resolve_flag, viewer=contributor.user, flag_id=open_flag.pk) == {
        (None, "FORBIDDEN")
    }
    assert errors_of(moderation.resolve_flag, viewer=AnonymousUser(), flag_id=open_flag.pk) == {
        (None, "UNAUTHENTICATED")
    }
    assert Flag.objects.get().resolved_at is None
    assert row_counts() == before


def test_resolve_an_unknown_flag(moderator):
    assert errors_of(moderation.resolve_flag, viewer=moderator.user, flag_id=999_999) == {
        ("id", "NOT_FOUND")
    }


def test_a_flag_on_content_deleted_since_can_be_resolved(moderator, contributor):
    challenge = ChallengeFactory()
    open_flag = flag(contributor.user, challenge)
    challenges.delete_challenge(viewer=challenge.author.user, challenge_id=challenge.pk)

    moderation.resolve_flag(viewer=moderator.user, flag_id=open_flag.pk)

    assert Flag.objects.get().resolved_at is not None
    assert not selectors.list_flags(viewer=moderator.user).exists()
    action = ModerationAction.objects.get()
    assert (action.action, action.object_id) == ("RESOLVE_FLAG", challenge.pk)


# --- revisions --------------------------------------------------------------------------------


def test_a_moderator_restores_a_challenge_revision(moderator):
    challenge = ChallengeFactory(title="Original", description="Original text.")
    author = challenge.author
    challenges.update_challenge(
        viewer=author.user, challenge_id=challenge.pk, title="Vandalised", description="Spam."
    )
    original = Revision.objects.get()

    restored = moderation.restore_revision(viewer=moderator.user, revision_id=original.pk)

    challenge.refresh_from_db()
    assert restored == challenge
    assert (challenge.title, challenge.description) == ("Original", "Original text.")
    # The text it replaced is kept as a revision too, by the moderator.
    newest = challenge.revisions.order_by("-id").first()
    assert (newest.title, newest.body, newest.editor) == ("Vandalised", "Spam.", moderator)
    assert log_of(challenge) == [
        (moderator.user.pk, "RESTORE_REVISION", f"Restored revision {original.pk}", "", "")
    ]


def test_restore_revisions_of_solutions_and_learnings(moderator):
    solution = SolutionFactory(body="Good answer.")
    learning = LearningFactory(title="Good title", body="Good body.")
    solutions.update_solution(
        viewer=solution.author.user, solution_id=solution.pk, body="Worse answer."
    )
    learnings.update_learning(
        viewer=learning.author.user, learning_id=learning.pk, title="Bad", body="Bad body."
    )

    moderation.restore_revision(viewer=moderator.user, revision_id=solution.revisions.get().pk)
    moderation.restore_revision(viewer=moderator.user, revision_id=learning.revisions.get().pk)

    assert Solution.objects.get(pk=solution.pk).body == "Good answer."
    learning.refresh_from_db()
    assert (learning.title, learning.body) == ("Good title", "Good body.")
    assert (
        ModerationAction.objects.filter(action=ModerationActionKind.RESTORE_REVISION).count() == 2
    )


def test_only_moderators_restore_revisions(contributor):
    challenge = ChallengeFactory(author=contributor, title="One")
    challenges.update_challenge(viewer=contributor.user, challenge_id=challenge.pk, title="Two")
    revision = Revision.objects.get()
    before = row_counts()

    assert errors_of(
        moderation.restore_revision, viewer=contributor.user, revision_id=revision.pk
    ) == {(None, "FORBIDDEN")}
    assert errors_of(
        moderation.restore_revision, viewer=AnonymousUser(), revision_id=revision.pk
    ) == {(None, "UNAUTHENTICATED")}
    assert Challenge.objects.get(pk=challenge.pk).title == "Two"
    assert row_counts() == before


def test_restore_an_unknown_revision(moderator):
    assert errors_of(moderation.restore_revision, viewer=moderator.user, revision_id=999_999) == {
        ("id", "NOT_FOUND")
    }
