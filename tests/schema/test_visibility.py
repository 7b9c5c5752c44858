"""Who sees what: anonymous viewers see PUBLISHED content only, authors also their own,
moderators (staff, or the `moderators` group) everything."""

import pytest

from hub.models import ContentStatus
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import client_for, global_id, pluck

NOT_PUBLIC = [ContentStatus.PENDING, ContentStatus.REJECTED, ContentStatus.HIDDEN]

LEARNING_EVERYWHERE = """
query Learning($slug: String!, $id: ID!, $search: String!) {
  learnings { edges { node { title } } }
  learning(slug: $slug) { title status }
  node(id: $id) { ... on Learning { title } }
  technology(slug: "django") { learnings { edges { node { title } } } }
  search(query: $search) { ... on Learning { title } }
  hubStats { learnings }
}
"""

CHALLENGE_EVERYWHERE = """
query Challenge($slug: String!, $id: ID!, $search: String!) {
  challenges { edges { node { title } } }
  challenge(slug: $slug) { title status }
  node(id: $id) { ... on Challenge { title } }
  technology(slug: "django") { challenges { edges { node { title } } } }
  search(query: $search) { ... on Challenge { title } }
  hubStats { challenges }
}
"""


def learning_seen_by(client, learning) -> dict:
    data = client.query(
        LEARNING_EVERYWHERE,
        {"slug": learning.slug, "id": global_id("Learning", learning), "search": "zeppelin"},
    )
    return {
        "list": pluck(data["learnings"]),
        "by slug": data["learning"] and data["learning"]["title"],
        "node": data["node"] and data["node"]["title"],
        "nested": pluck(data["technology"]["learnings"]),
        "search": [result["title"] for result in data["search"]],
        "stats": data["hubStats"]["learnings"],
    }


def challenge_seen_by(client, challenge) -> dict:
    data = client.query(
        CHALLENGE_EVERYWHERE,
        {"slug": challenge.slug, "id": global_id("Challenge", challenge), "search": "zeppelin"},
    )
    return {
        "list": pluck(data["challenges"]),
        "by slug": data["challenge"] and data["challenge"]["title"],
        "node": data["node"] and data["node"]["title"],
        "nested": pluck(data["technology"]["challenges"]),
        "search": [result["title"] for result in data["search"]],
        "stats": data["hubStats"]["challenges"],
    }


NOWHERE = {"list": [], "by slug": None, "node": None, "nested": [], "search": [], "stats": 0}


def everywhere(title: str) -> dict:
    return {
        "list": [title],
        "by slug": title,
        "node": title,
        "nested": [title],
        "search": [title],
        "stats": 1,
    }


@pytest.fixture
def django(db):
    return TechnologyFactory(name="Django")


def test_a_published_learning_is_public(gql, django):
    learning = LearningFactory(title="Zeppelin learning")
    learning.technologies.add(django)

    assert learning_seen_by(gql, learning) == everywhere("Zeppelin learning")


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_an_unpublished_learning_is_invisible_to_anonymous_viewers(gql, django, status):
    learning = LearningFactory(title="Zeppelin learning", status=status)
    learning.technologies.add(django)

    assert learning_seen_by(gql, learning) == NOWHERE


def test_an_unpublished_learning_is_invisible_to_other_members(member_gql, django):
    learning = LearningFactory(title="Zeppelin learning", status=ContentStatus.PENDING)
    learning.technologies.add(django)

    assert learning_seen_by(member_gql, learning) == NOWHERE


def test_an_author_sees_their_own_pending_learning(member_gql, contributor, django):
    learning = LearningFactory(
        title="Zeppelin learning", status=ContentStatus.PENDING, author=contributor
    )
    learning.technologies.add(django)

    # Search and hubStats are about published content, whoever asks.
    assert learning_seen_by(member_gql, learning) == {
        **everywhere("Zeppelin learning"),
        "search": [],
        "stats": 0,
    }


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_moderators_see_every_learning(moderator, django, status):
    learning = LearningFactory(title="Zeppelin learning", status=status)
    learning.technologies.add(django)

    assert learning_seen_by(client_for(moderator), learning) == {
        **everywhere("Zeppelin learning"),
        "search": [],
        "stats": 0,
    }


def test_a_published_challenge_is_public(gql, django):
    challenge = ChallengeFactory(title="Zeppelin challenge")
    challenge.technologies.add(django)

    assert challenge_seen_by(gql, challenge) == everywhere("Zeppelin challenge")


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_an_unpublished_challenge_is_invisible_to_anonymous_viewers(gql, django, status):
    challenge = ChallengeFactory(title="Zeppelin challenge", status=status)
    challenge.technologies.add(django)

    assert challenge_seen_by(gql, challenge) == NOWHERE


def test_an_author_sees_their_own_pending_challenge(member_gql, contributor, django):
    challenge = ChallengeFactory(
        title="Zeppelin challenge", status=ContentStatus.PENDING, author=contributor
    )
    challenge.technologies.add(django)

    assert challenge_seen_by(member_gql, challenge) == {
        **everywhere("Zeppelin challenge"),
        "search": [],
        "stats": 0,
    }


def test_moderators_see_every_challenge(moderator, django):
    challenge = ChallengeFactory(title="Zeppelin challenge", status=ContentStatus.HIDDEN)
    challenge.technologies.add(django)

    assert challenge_seen_by(client_for(moderator), challenge) == {
        **everywhere("Zeppelin challenge"),
        "search": [],
        "stats": 0,
    }


SOLUTION_EVERYWHERE = """
query Solution($id: ID!, $username: String!) {
  node(id: $id) { ... on Solution { body } }
  contributor(username: $username) { solutions { edges { node { body } } } }
  search(query: "zeppelin") { ... on Solution { body } }
  hubStats { solutions }
}
"""


def solution_seen_by(client, solution) -> dict:
    data = client.query(
        SOLUTION_EVERYWHERE,
        {"id": global_id("Solution", solution), "username": solution.author.username},
    )
    return {
        "node": data["node"] and data["node"]["body"],
        "profile": pluck(data["contributor"]["solutions"], "body"),
        "search": [result["body"] for result in data["search"]],
        "stats": data["hubStats"]["solutions"],
    }


def test_a_published_solution_of_a_published_challenge_is_public(gql):
    solution = SolutionFactory(body="Zeppelin answer")

    assert solution_seen_by(gql, solution) == {
        "node": "Zeppelin answer",
        "profile": ["Zeppelin answer"],
        "search": ["Zeppelin answer"],
        "stats": 1,
    }


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_a_solution_of_an_unpublished_challenge_is_not_public(gql, status):
    challenge = ChallengeFactory(title="Zeppelin challenge", status=status)
    solution = SolutionFactory(body="Zeppelin answer", challenge=challenge)

    assert solution_seen_by(gql, solution) == {
        "node": None,
        "profile": [],
        "search": [],
        "stats": 0,
    }


def test_a_solution_stops_being_public_when_its_challenge_is_hidden(gql):
    solution = SolutionFactory(body="Zeppelin answer")
    challenge = solution.challenge
    challenge.status = ContentStatus.HIDDEN
    challenge.save()

    assert solution_seen_by(gql, solution)["search"] == []
    assert solution_seen_by(gql, solution)["node"] is None


def test_an_author_sees_their_own_pending_solution(contributor):
    solution = SolutionFactory(
        body="Zeppelin answer", author=contributor, status=ContentStatus.PENDING
    )

    seen = solution_seen_by(client_for(contributor), solution)

    assert seen["node"] == "Zeppelin answer"
    assert seen["search"] == []


def test_moderators_see_hidden_solutions_in_a_challenge(moderator):
    challenge = ChallengeFactory(title="Moderated")
    SolutionFactory(challenge=challenge, body="published", score=1)
    SolutionFactory(challenge=challenge, body="hidden", status=ContentStatus.HIDDEN)

    data = client_for(moderator).query(
        '{ challenge(slug: "moderated") { solutions { edges { node { body status } } } } }'
    )

    assert pluck(data["challenge"]["solutions"], "status") == ["PUBLISHED", "HIDDEN"]


def test_a_member_does_not_see_another_members_pending_content(member_gql):
    other = ContributorFactory()
    LearningFactory(title="Theirs, pending", author=other, status=ContentStatus.PENDING)
    ChallengeFactory(title="Theirs, pending", author=other, status=ContentStatus.PENDING)

    data = member_gql.query(
        "{ learnings { totalCount } challenges { totalCount } }",
    )

    assert data == {"learnings": {"totalCount": 0}, "challenges": {"totalCount": 0}}
