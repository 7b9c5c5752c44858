"""Challenge mutations over HTTP: submit, bulk submit, update (with revisions), delete."""

import pytest
from graphql_relay import to_global_id

from hub.models import Challenge, ContentStatus
from tests.factories import ChallengeFactory, ProjectFactory, SolutionFactory, TechnologyFactory
from tests.schema.helpers import client_for, global_id, nodes, pluck
from tests.schema.mutation_helpers import anonymous, field_errors, refused, row_counts

SUBMIT = """
mutation Submit($input: SubmitChallengeInput!) {
  submitChallenge(input: $input) {
    challenge {
      id title slug description descriptionHtml status
      author { username }
      project { slug }
      technologies { edges { node { slug } } }
    }
    errors { field message code }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateChallengeInput!) {
  updateChallenge(input: $input) {
    challenge { id title description project { slug } technologies { edges { node { slug } } } }
    errors { field message code }
  }
}
"""

DELETE = """
mutation Delete($input: DeleteInput!) {
  deleteChallenge(input: $input) { deletedId errors { field message code } }
}
"""

BULK = """
mutation Bulk($input: BulkSubmitChallengesInput!) {
  bulkSubmitChallenges(input: $input) {
    challenges { title technologies { edges { node { slug } } } }
    errors { field message code index }
  }
}
"""

REVISIONS = """
query Revisions($slug: String!) {
  challenge(slug: $slug) {
    title
    revisions { totalCount edges { node { id title body createdAt editor { username } } } }
  }
}
"""


@pytest.fixture
def technologies(db):
    return [TechnologyFactory(name="Django"), TechnologyFactory(name="Redis")]


@pytest.fixture
def project(db):
    return ProjectFactory(title="Nexus")


def challenge_input(**overrides) -> dict:
    fields = {
        "title": "Cache stampede",
        "description": "Everything expired *at once*.",
        "technologies": ["django"],
    }
    fields.update(overrides)
    return fields


# --- submitChallenge --------------------------------------------------------------------------


def test_submit_a_challenge(member_gql, contributor, technologies, project):
    result = member_gql.query(
        SUBMIT, {"input": challenge_input(project="nexus", technologies=["redis", "django"])}
    )["submitChallenge"]

    assert result["errors"] == []
    challenge = result["challenge"]
    assert challenge["title"] == "Cache stampede"
    assert challenge["slug"] == "cache-stampede"
    assert challenge["status"] == "PUBLISHED"
    assert "<em>at once</em>" in challenge["descriptionHtml"]
    assert challenge["author"] == {"username": contributor.username}
    assert challenge["project"] == {"slug": "nexus"}
    assert sorted(pluck(challenge["technologies"], "slug")) == ["django", "redis"]
    assert challenge["id"] == global_id("Challenge", Challenge.objects.get())


def test_a_submitted_challenge_is_public(member_gql, technologies):
    member_gql.query(SUBMIT, {"input": challenge_input()})

    data = anonymous().query('{ challenge(slug: "cache-stampede") { title } }')

    assert data["challenge"] == {"title": "Cache stampede"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": None}, {("title", "REQUIRED")}),
        ({"title": "  "}, {("title", "REQUIRED")}),
        ({"description": None}, {("description", "REQUIRED")}),
        ({"title": "t" * 201}, {("title", "TOO_LONG")}),
        ({"description": "d" * 20_001}, {("description", "TOO_LONG")}),
        ({"title": "Cheap VIAGRA"}, {("title", "INVALID")}),
        ({"description": "a crypto giveaway"}, {("description", "INVALID")}),
        (
            {"description": " ".join(f"https://spam{i}.example" for i in range(9))},
            {("description", "INVALID")},
        ),
        ({"project": "no-such-project"}, {("project", "NOT_FOUND")}),
        ({"technologies": ["django", "no-such-tech"]}, {("technologies", "NOT_FOUND")}),
        ({"technologies": [f"t{i}" for i in range(11)]}, {("technologies", "INVALID")}),
        ({"title": "", "description": ""}, {("title", "REQUIRED"), ("description", "REQUIRED")}),
    ],
)
def test_submit_rejects_bad_input_and_writes_nothing(member_gql, technologies, overrides, expected):
    before = row_counts()

    result = member_gql.query(SUBMIT, {"input": challenge_input(**overrides)})["submitChallenge"]

    assert field_errors(result) == expected
    assert all(error["message"] for error in result["errors"])
    assert result["challenge"] is None
    assert row_counts() == before


def test_submit_needs_a_signed_in_user(gql, technologies):
    before = row_counts()

    assert refused(gql, SUBMIT, {"input": challenge_input()}) == "UNAUTHENTICATED"
    assert row_counts() == before


# --- bulkSubmitChallenges ---------------------------------------------------------------------


def test_bulk_submit_is_a_partial_success(member_gql, technologies):
    items = [
        challenge_input(title="One", technologies=["django", "redis"]),
        challenge_input(title="", technologies=["django"]),
        challenge_input(title="Three", technologies=["no-such-tech"]),
        challenge_input(title="Four", technologies=["redis"]),
        challenge_input(title="Five", description="free money"),
    ]

    result = member_gql.query(BULK, {"input": {"challenges": items}})["bulkSubmitChallenges"]

    assert [c["title"] for c in result["challenges"]] == ["One", "Four"]
    assert sorted(pluck(result["challenges"][0]["technologies"], "slug")) == ["django", "redis"]
    assert [(e["index"], e["field"], e["code"]) for e in result["errors"]] == [
        (1, "title", "REQUIRED"),
        (2, "technologies", "NOT_FOUND"),
        (4, "description", "INVALID"),
    ]
    assert sorted(Challenge.objects.values_list("title", flat=True)) == ["Four", "One"]
    for challenge in Challenge.objects.all():
        assert challenge.technologies.exists()


def test_bulk_submit_with_no_valid_item_writes_nothing(member_gql, technologies):
    before = row_counts()

    result = member_gql.query(
        BULK,
        {"input": {"challenges": [challenge_input(title=""), challenge_input(project="nope")]}},
    )["bulkSubmitChallenges"]

    assert result["challenges"] == []
    assert [(e["index"], e["field"]) for e in result["errors"]] == [(0, "title"), (1, "project")]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("count", "expected"), [(0, ("challenges", "REQUIRED")), (51, ("challenges", "INVALID"))]
)
def test_bulk_submit_size_limits(member_gql, technologies, count, expected):
    before = row_counts()
    items = [challenge_input(title=f"Challenge {i}") for i in range(count)]

    result = member_gql.query(BULK, {"input": {"challenges": items}})["bulkSubmitChallenges"]

    assert field_errors(result) == {expected}
    assert result["errors"][0]["index"] is None
    assert result["challenges"] == []
    assert row_counts() == before


def test_bulk_submit_needs_a_signed_in_user(gql, technologies):
    before = row_counts()

    assert refused(gql, BULK, {"input": {"challenges": [challenge_input()]}}) == "UNAUTHENTICATED"
    assert row_counts() == before


# --- updateChallenge --------------------------------------------------------------------------


def test_update_a_challenge_keeps_a_revision(member_gql, contributor, technologies, project):
    challenge = ChallengeFactory(author=contributor, title="First title", description="First.")
    challenge.technologies.set(technologies[:1])
    challenge_id = global_id("Challenge", challenge)

    result = member_gql.query(
        UPDATE,
        {
            "input": {
                "id": challenge_id,
                "title": "Second title",
                "description": "Second.",
                "project": "nexus",
                "technologies": ["redis"],
            }
        },
    )["updateChallenge"]
    member_gql.query(UPDATE, {"input": {"id": challenge_id, "description": "Third."}})

    assert result["errors"] == []
    assert result["challenge"]["title"] == "Second title"
    assert result["challenge"]["project"] == {"slug": "nexus"}
    assert pluck(result["challenge"]["technologies"], "slug") == ["redis"]
    # Anyone who can see the challenge reads its history, newest first.
    data = anonymous().query(REVISIONS, {"slug": challenge.slug})["challenge"]
    assert data["title"] == "Second title"
    assert data["revisions"]["totalCount"] == 2
    revisions = nodes(data["revisions"])
    assert [(r["title"], r["body"]) for r in revisions] == [
        ("Second title", "Second."),
        ("First title", "First."),
    ]
    assert {r["editor"]["username"] for r in revisions} == {contributor.username}
    assert all(r["createdAt"] for r in revisions)


def test_a_moderator_updates_anyones_challenge(moderator):
    challenge = ChallengeFactory(title="Before")

    result = client_for(moderator).query(
        UPDATE, {"input": {"id": global_id("Challenge", challenge), "title": "After"}}
    )["updateChallenge"]

    assert result["challenge"]["title"] == "After"
    (revision,) = challenge.revisions.all()
    assert revision.editor == moderator


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": ""}, ("title", "REQUIRED")),
        ({"description": " "}, ("description", "REQUIRED")),
        ({"title": "t" * 201}, ("title", "TOO_LONG")),
        ({"description": "casino bonus"}, ("description", "INVALID")),
        ({"project": "nope"}, ("project", "NOT_FOUND")),
        ({"technologies": ["nope"]}, ("technologies", "NOT_FOUND")),
    ],
)
def test_update_rejects_bad_input_and_changes_nothing(
    member_gql, contributor, technologies, fields, expected
):
    challenge = ChallengeFactory(author=contributor, title="Kept", description="Kept.")
    before = row_counts()

    result = member_gql.query(
        UPDATE,
        {"input": {"id": global_id("Challenge", challenge), "title": "Changed", **fields}},
    )["updateChallenge"]

    assert field_errors(result) == {expected}
    assert result["challenge"] is None
    challenge.refresh_from_db()
    assert (challenge.title, challenge.description) == ("Kept", "Kept.")
    assert row_counts() == before


@pytest.mark.parametrize(
    "bad_id",
    [
        to_global_id("Challenge", 999_999),
        to_global_id("Solution", 1),
        "garbled!",
        "",
    ],
)
def test_update_of_an_unknown_or_garbled_id_is_not_found(member_gql, bad_id):
    result = member_gql.query(UPDATE, {"input": {"id": bad_id, "title": "X"}})["updateChallenge"]

    assert field_errors(result) == {("id", "NOT_FOUND")}


def test_update_of_an_invisible_challenge_is_not_found(member_gql):
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN, title="Hidden")

    result = member_gql.query(
        UPDATE, {"input": {"id": global_id("Challenge", hidden), "title": "X"}}
    )["updateChallenge"]

    assert field_errors(result) == {("id", "NOT_FOUND")}
    assert Challenge.objects.get(pk=hidden.pk).title == "Hidden"


def test_only_the_author_or_a_moderator_updates(member_gql):
    challenge = ChallengeFactory(title="Kept")
    variables = {"input": {"id": global_id("Challenge", challenge), "title": "Taken over"}}
    before = row_counts()

    assert refused(member_gql, UPDATE, variables) == "FORBIDDEN"
    assert refused(anonymous(), UPDATE, variables) == "UNAUTHENTICATED"
    assert Challenge.objects.get(pk=challenge.pk).title == "Kept"
    assert row_counts() == before


# --- deleteChallenge --------------------------------------------------------------------------


def test_delete_a_challenge(member_gql, contributor):
    challenge = ChallengeFactory(author=contributor)
    challenge_id = global_id("Challenge", challenge)

    result = member_gql.query(DELETE, {"input": {"id": challenge_id}})["deleteChallenge"]

    assert result == {"deletedId": challenge_id, "errors": []}
    assert not Challenge.objects.exists()
    assert anonymous().query(f'{{ challenge(slug: "{challenge.slug}") {{ id }} }}') == {
        "challenge": None
    }


def test_an_author_cannot_delete_a_challenge_others_answered(member_gql, contributor):
    challenge = ChallengeFactory(author=contributor)
    SolutionFactory(challenge=challenge)
    before = row_counts()

    result = member_gql.query(DELETE, {"input": {"id": global_id("Challenge", challenge)}})

    assert field_errors(result["deleteChallenge"]) == {("id", "NOT_ALLOWED")}
    assert result["deleteChallenge"]["deletedId"] is None
    assert row_counts() == before


def test_a_moderator_deletes_an_answered_challenge(moderator):
    challenge = ChallengeFactory()
    SolutionFactory(challenge=challenge)

    result = client_for(moderator).query(
        DELETE, {"input": {"id": global_id("Challenge", challenge)}}
    )

    assert result["deleteChallenge"]["errors"] == []
    assert not Challenge.objects.exists()


def test_delete_refusals(member_gql):
    challenge = ChallengeFactory()
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    variables = {"input": {"id": global_id("Challenge", challenge)}}
    before = row_counts()

    assert refused(member_gql, DELETE, variables) == "FORBIDDEN"
    assert refused(anonymous(), DELETE, variables) == "UNAUTHENTICATED"
    for bad_id in (global_id("Challenge", hidden), to_global_id("Challenge", 999_999), "nonsense"):
        result = member_gql.query(DELETE, {"input": {"id": bad_id}})["deleteChallenge"]
        assert field_errors(result) == {("id", "NOT_FOUND")}
    assert row_counts() == before


@pytest.mark.parametrize(
    ("mutation", "variables"),
    [
        (SUBMIT, {"input": {}}),
        (BULK, {"input": {"challenges": []}}),
        (UPDATE, {"input": {"id": "garbled!", "title": ""}}),
        (DELETE, {"input": {"id": to_global_id("Challenge", 999_999)}}),
    ],
)
def test_anonymous_callers_are_unauthenticated_whatever_the_input(db, mutation, variables):
    assert refused(anonymous(), mutation, variables) == "UNAUTHENTICATED"
