"""`node(id:)`: every object type is a Relay node, found again by its global id."""

import pytest
from graphql_relay import from_global_id, to_global_id

from hub.models import ContentStatus
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import error_codes, global_id

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Technology { name }
    ... on Learning { title }
    ... on Project { title }
    ... on Challenge { title }
    ... on Solution { body }
    ... on Contributor { username }
  }
}
"""


def node(client, id_):
    return client.query(NODE, {"id": id_})["node"]


def test_ids_from_lists_round_trip_through_node(gql):
    TechnologyFactory(name="Redis")
    LearningFactory(title="Cache aside")
    ProjectFactory(title="Nexus")
    solution = SolutionFactory(
        body="Use a lock.",
        challenge=ChallengeFactory(title="Thundering herd"),
        author=ContributorFactory(user__username="ada"),
    )
    data = gql.query(
        """
        {
          technologies { edges { node { id } } }
          learnings { edges { node { id } } }
          projects { edges { node { id } } }
          challenges { edges { node { id solutions { edges { node { id } } } } } }
          contributor(username: "ada") { id }
        }
        """
    )
    challenge = data["challenges"]["edges"][0]["node"]
    ids = {
        "Technology": data["technologies"]["edges"][0]["node"]["id"],
        "Learning": data["learnings"]["edges"][0]["node"]["id"],
        "Project": data["projects"]["edges"][0]["node"]["id"],
        "Challenge": challenge["id"],
        "Solution": challenge["solutions"]["edges"][0]["node"]["id"],
        "Contributor": data["contributor"]["id"],
    }

    found = {type_name: node(gql, id_) for type_name, id_ in ids.items()}

    assert found == {
        "Technology": {"__typename": "Technology", "id": ids["Technology"], "name": "Redis"},
        "Learning": {"__typename": "Learning", "id": ids["Learning"], "title": "Cache aside"},
        "Project": {"__typename": "Project", "id": ids["Project"], "title": "Nexus"},
        "Challenge": {
            "__typename": "Challenge",
            "id": ids["Challenge"],
            "title": "Thundering herd",
        },
        "Solution": {"__typename": "Solution", "id": ids["Solution"], "body": "Use a lock."},
        "Contributor": {"__typename": "Contributor", "id": ids["Contributor"], "username": "ada"},
    }
    assert from_global_id(ids["Solution"]) == ("Solution", str(solution.pk))


@pytest.mark.parametrize(
    ("type_name", "make"),
    [
        ("Technology", TechnologyFactory),
        ("Learning", LearningFactory),
        ("Project", ProjectFactory),
        ("Challenge", ChallengeFactory),
        ("Solution", SolutionFactory),
        ("Contributor", ContributorFactory),
    ],
)
def test_node_of_a_deleted_object_is_null(gql, type_name, make):
    obj = make()
    id_ = global_id(type_name, obj)
    assert node(gql, id_)["__typename"] == type_name

    obj.delete()

    assert node(gql, id_) is None


@pytest.mark.parametrize(
    ("type_name", "make"),
    [
        ("Learning", lambda: LearningFactory(status=ContentStatus.PENDING)),
        ("Challenge", lambda: ChallengeFactory(status=ContentStatus.REJECTED)),
        ("Solution", lambda: SolutionFactory(status=ContentStatus.HIDDEN)),
        (
            "Solution",
            lambda: SolutionFactory(challenge=ChallengeFactory(status=ContentStatus.PENDING)),
        ),
    ],
)
def test_node_of_an_object_the_viewer_may_not_see_is_null(gql, type_name, make):
    assert node(gql, global_id(type_name, make())) is None


def test_node_with_a_non_numeric_primary_key_is_null(gql):
    assert node(gql, to_global_id("Technology", "abc")) is None


@pytest.mark.parametrize(
    ("bad_id", "mentions"),
    [
        ("this is not an id", "this is not an id"),
        (to_global_id("Spaceship", 1), "Spaceship"),
        (to_global_id("HubStats", 1), "HubStats"),
    ],
)
def test_a_malformed_id_is_a_client_error_not_a_server_failure(gql, bad_id, mentions):
    response = gql.post(NODE, {"id": bad_id})

    assert response.status_code < 500
    payload = response.json()
    assert payload["data"] == {"node": None}
    assert error_codes(payload) == ["INVALID"]
    assert mentions in payload["errors"][0]["message"]
