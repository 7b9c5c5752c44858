"""submitLearning / updateLearning over HTTP: review before publication, revisions."""

import pytest
from graphql_relay import to_global_id

from hub.models import ContentStatus, Learning
from tests.factories import ContributorFactory, LearningFactory, TechnologyFactory
from tests.schema.helpers import client_for, global_id, nodes, pluck
from tests.schema.mutation_helpers import anonymous, field_errors, refused, row_counts

SUBMIT = """
mutation Submit($input: SubmitLearningInput!) {
  submitLearning(input: $input) {
    learning {
      id title slug kind summary body bodyHtml status publishedAt
      author { username }
      technologies { edges { node { slug } } }
    }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateLearningInput!) {
  updateLearning(input: $input) {
    learning {
      title summary body technologies { edges { node { slug } } }
      revisions { totalCount edges { node { title body editor { username } } } }
    }
    errors { field message code }
  }
}
"""

MODERATE = """
mutation Moderate($input: ModerateInput!) {
  moderate(input: $input) { node { id ... on Learning { status } } errors { field code } }
}
"""

SEEN = """
query Seen($slug: String!, $id: ID!) {
  learnings { edges { node { title } } }
  learning(slug: $slug) { title status }
  node(id: $id) { ... on Learning { title } }
  technology(slug: "django") { learnings { edges { node { title } } } }
}
"""


@pytest.fixture
def django_tech(db):
    return TechnologyFactory(name="Django")


def learning_input(**overrides) -> dict:
    fields = {
        "title": "Select related early",
        "kind": "BEST_PRACTICE",
        "summary": "Join what every row needs.",
        "body": "Use `select_related` for **to-one** relations.",
        "technologies": ["django"],
    }
    fields.update(overrides)
    return {"input": fields}


def seen_by(client, learning) -> dict:
    data = client.query(SEEN, {"slug": learning.slug, "id": global_id("Learning", learning)})
    return {
        "list": pluck(data["learnings"]),
        "by slug": data["learning"] and data["learning"]["title"],
        "node": data["node"] and data["node"]["title"],
        "nested": pluck(data["technology"]["learnings"]),
    }


TITLE = "Select related early"
EVERYWHERE = {"list": [TITLE], "by slug": TITLE, "node": TITLE, "nested": [TITLE]}
NOWHERE = {"list": [], "by slug": None, "node": None, "nested": []}


# --- submitLearning ---------------------------------------------------------------------------


def test_submit_a_learning_that_waits_for_review(member_gql, contributor, django_tech):
    result = member_gql.query(SUBMIT, learning_input())["submitLearning"]

    assert result["errors"] == []
    learning = result["learning"]
    assert learning["status"] == "PENDING"
    assert learning["publishedAt"] is None
    assert learning["kind"] == "BEST_PRACTICE"
    assert learning["slug"] == "select-related-early"
    assert "<strong>to-one</strong>" in learning["bodyHtml"]
    assert learning["author"] == {"username": contributor.username}
    assert pluck(learning["technologies"], "slug") == ["django"]
    assert learning["id"] == global_id("Learning", Learning.objects.get())


def test_a_pending_learning_is_seen_by_its_author_and_moderators_only(
    member_gql, moderator, django_tech
):
    member_gql.query(SUBMIT, learning_input())
    learning = Learning.objects.get()

    assert seen_by(anonymous(), learning) == NOWHERE
    assert seen_by(client_for(ContributorFactory()), learning) == NOWHERE
    assert seen_by(member_gql, learning) == EVERYWHERE
    assert seen_by(client_for(moderator), learning) == EVERYWHERE


def test_publishing_makes_a_learning_public(member_gql, moderator, django_tech):
    member_gql.query(SUBMIT, learning_input())
    learning = Learning.objects.get()

    result = client_for(moderator).query(
        MODERATE, {"input": {"id": global_id("Learning", learning), "action": "PUBLISH"}}
    )["moderate"]

    assert result["errors"] == []
    assert result["node"]["status"] == "PUBLISHED"
    assert seen_by(anonymous(), learning) == EVERYWHERE
    assert seen_by(client_for(ContributorFactory()), learning) == EVERYWHERE


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": None}, {("title", "REQUIRED")}),
        ({"kind": None}, {("kind", "REQUIRED")}),
        ({"body": " "}, {("body", "REQUIRED")}),
        ({"title": "t" * 201}, {("title", "TOO_LONG")}),
        ({"summary": "s" * 301}, {("summary", "TOO_LONG")}),
        ({"body": "b" * 20_001}, {("body", "TOO_LONG")}),
        ({"title": "Free money tips"}, {("title", "INVALID")}),
        ({"body": " ".join(f"https://x{i}.example" for i in range(9))}, {("body", "INVALID")}),
        ({"technologies": ["django", "nope"]}, {("technologies", "NOT_FOUND")}),
        ({"title": "", "body": ""}, {("title", "REQUIRED"), ("body", "REQUIRED")}),
    ],
)
def test_submit_rejects_bad_input_and_writes_nothing(member_gql, django_tech, overrides, expected):
    before = row_counts()

    result = member_gql.query(SUBMIT, learning_input(**overrides))["submitLearning"]

    assert field_errors(result) == expected
    assert result["learning"] is None
    assert row_counts() == before


def test_an_unknown_kind_is_rejected_by_the_schema(member_gql, django_tech):
    response = member_gql.query(SUBMIT, learning_input(kind="OPINION"), expect_errors=True)

    assert "OPINION" in response["errors"][0]["message"]
    assert not Learning.objects.exists()


def test_submit_needs_a_signed_in_user(django_tech):
    before = row_counts()

    assert refused(anonymous(), SUBMIT, learning_input()) == "UNAUTHENTICATED"
    assert refused(anonymous(), SUBMIT, {"input": {}}) == "UNAUTHENTICATED"
    assert row_counts() == before


# --- updateLearning ---------------------------------------------------------------------------


def test_update_a_learning_keeps_revisions(member_gql, contributor, django_tech):
    learning = LearningFactory(author=contributor, title="First", body="Body one.")
    learning_id = global_id("Learning", learning)

    member_gql.query(UPDATE, {"input": {"id": learning_id, "body": "Body two."}})
    result = member_gql.query(
        UPDATE,
        {
            "input": {
                "id": learning_id,
                "title": "Second",
                "summary": "New summary.",
                "technologies": ["django"],
            }
        },
    )["updateLearning"]

    assert result["errors"] == []
    updated = result["learning"]
    assert (updated["title"], updated["body"], updated["summary"]) == (
        "Second",
        "Body two.",
        "New summary.",
    )
    assert pluck(updated["technologies"], "slug") == ["django"]
    assert updated["revisions"]["totalCount"] == 2
    assert [
        (r["title"], r["body"], r["editor"]["username"]) for r in nodes(updated["revisions"])
    ] == [
        ("First", "Body two.", contributor.username),
        ("First", "Body one.", contributor.username),
    ]


def test_revisions_of_a_pending_learning_are_hidden_with_it(member_gql, contributor):
    learning = LearningFactory(author=contributor, status=ContentStatus.PENDING, title="Draft")
    member_gql.query(UPDATE, {"input": {"id": global_id("Learning", learning), "title": "Draft 2"}})
    revision_id = global_id("Revision", learning.revisions.get())
    query = "query($id: ID!) { node(id: $id) { ... on Revision { title } } }"

    assert member_gql.query(query, {"id": revision_id}) == {"node": {"title": "Draft"}}
    assert anonymous().query(query, {"id": revision_id}) == {"node": None}


def test_a_moderator_updates_anyones_learning(moderator):
    learning = LearningFactory(title="Before")

    result = client_for(moderator).query(
        UPDATE, {"input": {"id": global_id("Learning", learning), "title": "After"}}
    )["updateLearning"]

    assert result["learning"]["title"] == "After"
    assert nodes(result["learning"]["revisions"])[0]["editor"]["username"] == moderator.username


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": ""}, ("title", "REQUIRED")),
        ({"body": ""}, ("body", "REQUIRED")),
        ({"title": "t" * 201}, ("title", "TOO_LONG")),
        ({"summary": "s" * 301}, ("summary", "TOO_LONG")),
        ({"body": "viagra"}, ("body", "INVALID")),
        ({"technologies": ["nope"]}, ("technologies", "NOT_FOUND")),
    ],
)
def test_update_rejects_bad_input_and_changes_nothing(member_gql, contributor, fields, expected):
    learning = LearningFactory(author=contributor, title="Kept", body="Kept body.")
    before = row_counts()

    result = member_gql.query(
        UPDATE, {"input": {"id": global_id("Learning", learning), "title": "Changed", **fields}}
    )["updateLearning"]

    assert field_errors(result) == {expected}
    assert result["learning"] is None
    learning.refresh_from_db()
    assert (learning.title, learning.body) == ("Kept", "Kept body.")
    assert row_counts() == before


def test_update_refusals(member_gql):
    published = LearningFactory(title="Kept")
    pending = LearningFactory(status=ContentStatus.PENDING)
    variables = {"input": {"id": global_id("Learning", published), "title": "Mine"}}
    before = row_counts()

    assert refused(member_gql, UPDATE, variables) == "FORBIDDEN"
    assert refused(anonymous(), UPDATE, variables) == "UNAUTHENTICATED"
    for bad_id in (global_id("Learning", pending), to_global_id("Learning", 999_999), "garbled"):
        result = member_gql.query(UPDATE, {"input": {"id": bad_id, "title": "X"}})
        assert field_errors(result["updateLearning"]) == {("id", "NOT_FOUND")}
    assert Learning.objects.get(pk=published.pk).title == "Kept"
    assert row_counts() == before


def test_an_authors_edit_of_a_published_learning_waits_for_review_again(
    member_gql, contributor, moderator, django_tech
):
    learning = LearningFactory(author=contributor, title=TITLE)
    learning.technologies.add(django_tech)
    edited = "Select related earlier"

    result = member_gql.query(
        UPDATE, {"input": {"id": global_id("Learning", learning), "title": edited}}
    )["updateLearning"]

    assert result["errors"] == []
    learning.refresh_from_db()
    assert (learning.title, learning.status) == (edited, ContentStatus.PENDING)
    assert seen_by(anonymous(), learning) == NOWHERE
    assert seen_by(member_gql, learning)["by slug"] == edited  # its author still sees it
    assert learning.revisions.get().title == TITLE

    client_for(moderator).query(
        MODERATE, {"input": {"id": global_id("Learning", learning), "action": "PUBLISH"}}
    )

    everywhere_edited = {"list": [edited], "by slug": edited, "node": edited, "nested": [edited]}
    assert seen_by(anonymous(), learning) == everywhere_edited
