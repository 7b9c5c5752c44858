"""Moderation over HTTP: moderate, flagContent, flags, resolveFlag, restoreRevision."""

import pytest
from django.contrib.contenttypes.models import ContentType
from graphql_relay import to_global_id

from hub.models import (
    Challenge,
    Comment,
    ContentStatus,
    Flag,
    Learning,
    ModerationAction,
    Solution,
)
from tests.factories import ChallengeFactory, LearningFactory, SolutionFactory
from tests.schema.helpers import client_for, global_id, nodes
from tests.schema.mutation_helpers import anonymous, field_errors, refused, row_counts

MODERATE = """
mutation Moderate($input: ModerateInput!) {
  moderate(input: $input) {
    node {
      id
      ... on Learning { status publishedAt }
      ... on Challenge { status }
      ... on Solution { status }
      ... on Comment { status }
    }
    errors { field message code }
  }
}
"""

FLAG = """
mutation Flag($input: FlagContentInput!) { flagContent(input: $input) { errors { field code } } }
"""

FLAGS = """
query Flags($open: Boolean) {
  flags(open: $open) {
    totalCount
    edges { node { id reason note isOpen reporter { username } target { id } } }
  }
}
"""

RESOLVE = """
mutation Resolve($input: ResolveFlagInput!) {
  resolveFlag(input: $input) { flag { id isOpen resolvedAt } errors { field code } }
}
"""

UPDATE_CHALLENGE = """
mutation Update($input: UpdateChallengeInput!) {
  updateChallenge(input: $input) { errors { field code } }
}
"""

UPDATE_SOLUTION = """
mutation Update($input: UpdateSolutionInput!) {
  updateSolution(input: $input) { errors { field code } }
}
"""

RESTORE = """
mutation Restore($input: RestoreRevisionInput!) {
  restoreRevision(input: $input) {
    node { id ... on Challenge { title description } }
    errors { field message code }
  }
}
"""

REVISIONS = """
query Revisions($slug: String!) {
  challenge(slug: $slug) {
    title
    revisions { edges { node { id title body editor { username } } } }
  }
}
"""


def log_of(obj) -> list[tuple]:
    rows = ModerationAction.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).order_by("id")
    return [(r.moderator_id, r.action, r.reason, r.from_status, r.to_status) for r in rows]


def moderate(client, obj, type_name, action, reason=None) -> dict:
    variables = {"input": {"id": global_id(type_name, obj), "action": action, "reason": reason}}
    return client.query(MODERATE, variables)["moderate"]


def flag(client, obj, type_name, reason="SPAM", note=None) -> dict:
    variables = {"input": {"id": global_id(type_name, obj), "reason": reason, "note": note}}
    return client.query(FLAG, variables)["flagContent"]


# --- moderate ---------------------------------------------------------------------------------


def test_publish_a_pending_learning(moderator):
    learning = LearningFactory(status=ContentStatus.PENDING, title="Waiting")

    result = moderate(client_for(moderator), learning, "Learning", "PUBLISH")

    assert result["errors"] == []
    assert result["node"]["id"] == global_id("Learning", learning)
    assert result["node"]["status"] == "PUBLISHED"
    assert result["node"]["publishedAt"]
    assert anonymous().query(f'{{ learning(slug: "{learning.slug}") {{ title }} }}') == {
        "learning": {"title": "Waiting"}
    }
    assert log_of(learning) == [(moderator.user_id, "PUBLISH", "", "PENDING", "PUBLISHED")]


@pytest.mark.parametrize(
    ("factory", "type_name"),
    [
        (LearningFactory, "Learning"),
        (ChallengeFactory, "Challenge"),
        (SolutionFactory, "Solution"),
        (lambda: Comment.objects.create(challenge=ChallengeFactory(), body="Hm."), "Comment"),
    ],
)
@pytest.mark.parametrize(("action", "status"), [("REJECT", "REJECTED"), ("HIDE", "HIDDEN")])
def test_reject_and_hide_with_a_reason(moderator, factory, type_name, action, status):
    target = factory()

    result = moderate(client_for(moderator), target, type_name, action, "Off topic.")

    assert result["errors"] == []
    assert result["node"]["status"] == status
    assert log_of(target) == [(moderator.user_id, action, "Off topic.", "PUBLISHED", status)]
    node = anonymous().query(
        "query($id: ID!) { node(id: $id) { id } }", {"id": global_id(type_name, target)}
    )
    assert node == {"node": None}


@pytest.mark.parametrize("action", ["REJECT", "HIDE"])
@pytest.mark.parametrize("reason", [None, "", "  "])
def test_reject_and_hide_need_a_reason(moderator, action, reason):
    learning = LearningFactory(status=ContentStatus.PENDING)
    before = row_counts()

    result = moderate(client_for(moderator), learning, "Learning", action, reason)

    assert field_errors(result) == {("reason", "REQUIRED")}
    assert result["node"] is None
    assert Learning.objects.get(pk=learning.pk).status == ContentStatus.PENDING
    assert row_counts() == before


def test_a_reason_over_the_limit(moderator):
    learning = LearningFactory()

    result = moderate(client_for(moderator), learning, "Learning", "HIDE", "r" * 1001)

    assert field_errors(result) == {("reason", "TOO_LONG")}
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize(
    "bad_id",
    [
        to_global_id("Learning", 999_999),
        to_global_id("Technology", 1),  # not moderated
        "garbled",
    ],
)
def test_moderate_unknown_or_garbled_ids(moderator, bad_id):
    result = client_for(moderator).query(MODERATE, {"input": {"id": bad_id, "action": "PUBLISH"}})[
        "moderate"
    ]

    assert field_errors(result) == {("id", "NOT_FOUND")}
    assert not ModerationAction.objects.exists()


def test_only_moderators_moderate(member_gql, contributor):
    own = LearningFactory(author=contributor, status=ContentStatus.PENDING)
    variables = {"input": {"id": global_id("Learning", own), "action": "PUBLISH"}}
    before = row_counts()

    assert refused(member_gql, MODERATE, variables) == "FORBIDDEN"
    assert refused(anonymous(), MODERATE, variables) == "UNAUTHENTICATED"
    garbled = {"input": {"id": "garbled", "action": "HIDE"}}
    assert refused(member_gql, MODERATE, garbled) == "FORBIDDEN"
    assert refused(anonymous(), MODERATE, garbled) == "UNAUTHENTICATED"
    assert Learning.objects.get(pk=own.pk).status == ContentStatus.PENDING
    assert row_counts() == before


def test_every_moderation_action_is_logged(moderator):
    client = client_for(moderator)
    learning = LearningFactory(status=ContentStatus.PENDING)

    moderate(client, learning, "Learning", "REJECT", "Needs sources.")
    moderate(client, learning, "Learning", "PUBLISH")
    moderate(client, learning, "Learning", "HIDE", "Outdated.")

    assert log_of(learning) == [
        (moderator.user_id, "REJECT", "Needs sources.", "PENDING", "REJECTED"),
        (moderator.user_id, "PUBLISH", "", "REJECTED", "PUBLISHED"),
        (moderator.user_id, "HIDE", "Outdated.", "PUBLISHED", "HIDDEN"),
    ]


# --- flagContent / flags / resolveFlag --------------------------------------------------------


def test_flag_once_and_moderators_see_the_open_flags(member_gql, contributor, moderator):
    challenge = ChallengeFactory()
    solution = SolutionFactory()

    assert flag(member_gql, challenge, "Challenge", "SPAM", "Ads.") == {"errors": []}
    assert flag(member_gql, solution, "Solution", "OFFENSIVE") == {"errors": []}
    before = row_counts()
    again = flag(member_gql, challenge, "Challenge", "OTHER")
    assert field_errors(again) == {("id", "DUPLICATE")}
    assert row_counts() == before

    data = client_for(moderator).query(FLAGS)["flags"]

    assert data["totalCount"] == 2
    assert [(n["reason"], n["target"]["id"]) for n in nodes(data)] == [
        ("OFFENSIVE", global_id("Solution", solution)),
        ("SPAM", global_id("Challenge", challenge)),
    ]
    spam = nodes(data)[1]
    assert (spam["note"], spam["isOpen"]) == ("Ads.", True)
    assert spam["reporter"] == {"username": contributor.username}


def test_any_contributor_flags_each_kind_of_content(member_gql):
    learning = LearningFactory()
    comment = Comment.objects.create(challenge=ChallengeFactory(), body="Spam.")

    assert flag(member_gql, learning, "Learning")["errors"] == []
    assert flag(member_gql, comment, "Comment", "OFFENSIVE")["errors"] == []
    assert Flag.objects.count() == 2


def test_flag_refusals(member_gql, contributor):
    own = ChallengeFactory(author=contributor)
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    visible = ChallengeFactory()
    before = row_counts()

    assert field_errors(flag(member_gql, own, "Challenge")) == {("id", "NOT_ALLOWED")}
    for bad_id in (
        global_id("Challenge", hidden),
        to_global_id("Challenge", 999_999),
        to_global_id("Technology", 1),  # not flaggable
        "garbled",
    ):
        result = member_gql.query(FLAG, {"input": {"id": bad_id, "reason": "SPAM"}})
        assert field_errors(result["flagContent"]) == {("id", "NOT_FOUND")}
    assert field_errors(flag(member_gql, visible, "Challenge", note="n" * 1001)) == {
        ("note", "TOO_LONG")
    }
    variables = {"input": {"id": global_id("Challenge", visible), "reason": "SPAM"}}
    assert refused(anonymous(), FLAG, variables) == "UNAUTHENTICATED"
    assert row_counts() == before


def test_only_moderators_read_flags(member_gql):
    flag(member_gql, ChallengeFactory(), "Challenge")
    flag_id = global_id("Flag", Flag.objects.get())

    assert refused(member_gql, FLAGS) == "FORBIDDEN"
    assert refused(anonymous(), FLAGS) == "UNAUTHENTICATED"
    node_query = "query($id: ID!) { node(id: $id) { id } }"
    assert member_gql.query(node_query, {"id": flag_id}) == {"node": None}


def test_resolve_a_flag(member_gql, moderator):
    challenge = ChallengeFactory()
    flag(member_gql, challenge, "Challenge")
    flag(member_gql, SolutionFactory(), "Solution")
    resolved = Flag.objects.get(object_id=challenge.pk, content_type__model="challenge")
    mod = client_for(moderator)

    result = mod.query(RESOLVE, {"input": {"id": global_id("Flag", resolved), "note": "Fine."}})

    assert result["resolveFlag"]["errors"] == []
    assert result["resolveFlag"]["flag"]["isOpen"] is False
    assert result["resolveFlag"]["flag"]["resolvedAt"]
    assert mod.query(FLAGS)["flags"]["totalCount"] == 1
    everything = mod.query(FLAGS, {"open": False})["flags"]
    assert everything["totalCount"] == 2
    assert log_of(challenge) == [(moderator.user_id, "RESOLVE_FLAG", "Fine.", "", "")]


def test_a_flag_on_deleted_content_can_still_be_resolved(member_gql, moderator):
    challenge = ChallengeFactory()
    flag(member_gql, challenge, "Challenge")
    open_flag = Flag.objects.get()
    challenge.delete()
    mod = client_for(moderator)

    listed = mod.query(FLAGS)["flags"]
    result = mod.query(RESOLVE, {"input": {"id": global_id("Flag", open_flag)}})["resolveFlag"]

    assert nodes(listed)[0]["target"] is None
    assert result["errors"] == []
    assert mod.query(FLAGS)["flags"]["totalCount"] == 0


def test_resolve_refusals(member_gql, moderator):
    flag(member_gql, ChallengeFactory(), "Challenge")
    variables = {"input": {"id": global_id("Flag", Flag.objects.get())}}
    before = row_counts()

    assert refused(member_gql, RESOLVE, variables) == "FORBIDDEN"
    assert refused(anonymous(), RESOLVE, variables) == "UNAUTHENTICATED"
    for bad_id in (
        to_global_id("Flag", 999_999),
        "garbled",
        global_id("Challenge", ChallengeFactory()),
    ):
        result = client_for(moderator).query(RESOLVE, {"input": {"id": bad_id}})
        assert field_errors(result["resolveFlag"]) == {("id", "NOT_FOUND")}
    assert Flag.objects.get().resolved_at is None
    assert row_counts()["hub.ModerationAction"] == before["hub.ModerationAction"]


# --- restoreRevision --------------------------------------------------------------------------


def test_a_moderator_restores_a_revision(moderator):
    challenge = ChallengeFactory(title="Original", description="Original text.")
    author = client_for(challenge.author)
    challenge_id = global_id("Challenge", challenge)
    author.query(UPDATE_CHALLENGE, {"input": {"id": challenge_id, "title": "Second"}})
    author.query(UPDATE_CHALLENGE, {"input": {"id": challenge_id, "description": "Defaced."}})
    history = nodes(
        anonymous().query(REVISIONS, {"slug": challenge.slug})["challenge"]["revisions"]
    )
    assert [(r["title"], r["body"]) for r in history] == [
        ("Second", "Original text."),
        ("Original", "Original text."),
    ]
    oldest = history[-1]["id"]

    result = client_for(moderator).query(RESTORE, {"input": {"id": oldest}})["restoreRevision"]

    assert result["errors"] == []
    assert result["node"] == {
        "id": challenge_id,
        "title": "Original",
        "description": "Original text.",
    }
    history = nodes(
        anonymous().query(REVISIONS, {"slug": challenge.slug})["challenge"]["revisions"]
    )
    assert (history[0]["title"], history[0]["body"]) == ("Second", "Defaced.")
    assert history[0]["editor"] == {"username": moderator.username}
    revision_pk = int(Challenge.objects.get().revisions.order_by("id").first().pk)
    assert log_of(challenge) == [
        (moderator.user_id, "RESTORE_REVISION", f"Restored revision {revision_pk}", "", "")
    ]


def test_restore_a_solution_revision(moderator):
    solution = SolutionFactory(body="Good.")
    client_for(solution.author).query(
        UPDATE_SOLUTION, {"input": {"id": global_id("Solution", solution), "body": "Worse."}}
    )
    revision_id = global_id("Revision", solution.revisions.get())

    result = client_for(moderator).query(RESTORE, {"input": {"id": revision_id}})

    assert result["restoreRevision"]["node"]["id"] == global_id("Solution", solution)
    assert Solution.objects.get().body == "Good."


def test_restore_refusals(member_gql, contributor, moderator):
    challenge = ChallengeFactory(author=contributor, title="One")
    member_gql.query(
        UPDATE_CHALLENGE, {"input": {"id": global_id("Challenge", challenge), "title": "Two"}}
    )
    variables = {"input": {"id": global_id("Revision", challenge.revisions.get())}}
    before = row_counts()

    assert refused(member_gql, RESTORE, variables) == "FORBIDDEN"
    assert refused(anonymous(), RESTORE, variables) == "UNAUTHENTICATED"
    for bad_id in (to_global_id("Revision", 999_999), "garbled", global_id("Challenge", challenge)):
        result = client_for(moderator).query(RESTORE, {"input": {"id": bad_id}})
        assert field_errors(result["restoreRevision"]) == {("id", "NOT_FOUND")}
    assert Challenge.objects.get().title == "Two"
    assert row_counts() == before
