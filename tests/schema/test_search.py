"""`search(query:, first:)`: published content of every kind, best match first."""

import pytest

from hub.models import ContentStatus
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import day, error_codes

SEARCH = """
query Search($query: String!, $first: Int) {
  search(query: $query, first: $first) {
    __typename
    ... on Technology { name }
    ... on Learning { title }
    ... on Project { title }
    ... on Challenge { title }
    ... on Solution { body }
  }
}
"""


def search(client, query, **variables):
    return client.query(SEARCH, {"query": query, **variables})["search"]


def labels(results) -> list[str]:
    return [result.get("name") or result.get("title") or result.get("body") for result in results]


def test_search_returns_every_kind_of_content(gql):
    TechnologyFactory(name="GraphQL", learned="Schemas and resolvers.")
    LearningFactory(title="GraphQL pagination")
    ProjectFactory(title="GraphQL gateway")
    ChallengeFactory(title="GraphQL N+1 queries")
    SolutionFactory(
        body="Batch with GraphQL dataloaders.", challenge=ChallengeFactory(title="Slow")
    )

    results = search(gql, "graphql")

    assert {result["__typename"]: labels([result])[0] for result in results} == {
        "Technology": "GraphQL",
        "Learning": "GraphQL pagination",
        "Project": "GraphQL gateway",
        "Challenge": "GraphQL N+1 queries",
        "Solution": "Batch with GraphQL dataloaders.",
    }


def test_a_title_match_ranks_above_a_summary_match_above_a_body_match(gql):
    # Created oldest to newest, so recency alone would give the reverse order.
    LearningFactory(title="Kafka consumer groups", body="Partitions.", created_at=day(1))
    LearningFactory(title="Event streaming", summary="Why Kafka.", created_at=day(2))
    LearningFactory(title="Brokers", body="We compared Kafka and RabbitMQ.", created_at=day(3))

    results = search(gql, "kafka")

    assert labels(results) == ["Kafka consumer groups", "Event streaming", "Brokers"]


def test_ranking_spans_kinds(gql):
    ChallengeFactory(title="Lost messages", description="Our Celery workers drop tasks.")
    TechnologyFactory(name="Celery", learned="Task queues.")

    results = search(gql, "celery")

    assert [result["__typename"] for result in results] == ["Technology", "Challenge"]


def test_search_matches_words_case_insensitively(gql):
    ProjectFactory(title="Nexus", description="A knowledge HUB for backend engineers.")

    assert labels(search(gql, "Hub")) == ["Nexus"]


def test_search_does_not_return_unpublished_content(gql):
    LearningFactory(title="Public zeppelin")
    LearningFactory(title="Pending zeppelin", status=ContentStatus.PENDING)
    ChallengeFactory(title="Hidden zeppelin", status=ContentStatus.HIDDEN)
    SolutionFactory(body="Rejected zeppelin", status=ContentStatus.REJECTED)
    SolutionFactory(
        body="Zeppelin answer to a pending challenge",
        challenge=ChallengeFactory(title="Pending", status=ContentStatus.PENDING),
    )

    assert labels(search(gql, "zeppelin")) == ["Public zeppelin"]


def test_search_does_not_return_unpublished_content_to_their_author_either(member_gql, contributor):
    LearningFactory(title="My pending zeppelin", status=ContentStatus.PENDING, author=contributor)

    assert search(member_gql, "zeppelin") == []


def test_search_respects_first(gql):
    author = ContributorFactory()
    for n in range(5):
        LearningFactory(title=f"Redis tip {n}", author=author, created_at=day(n))

    assert len(search(gql, "redis", first=3)) == 3
    assert len(search(gql, "redis")) == 5


def test_search_returns_twenty_results_by_default(gql):
    author = ContributorFactory()
    for n in range(21):
        LearningFactory(title=f"Docker tip {n}", author=author)

    assert len(search(gql, "docker")) == 20


def test_search_finds_nothing_for_unknown_words(gql):
    LearningFactory(title="Redis")

    assert search(gql, "kubernetes") == []


def test_a_query_of_punctuation_only_finds_nothing(gql):
    LearningFactory(title="Redis")

    assert search(gql, "!!! ???") == []


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_is_an_error(gql, query):
    payload = gql.query(SEARCH, {"query": query}, expect_errors=True)

    assert error_codes(payload) == ["REQUIRED"]
    assert payload["errors"][0]["extensions"]["field"] == "query"
    assert payload["data"] is None


def test_a_very_long_query_is_an_error(gql):
    payload = gql.query(SEARCH, {"query": "word " * 50}, expect_errors=True)

    assert error_codes(payload) == ["TOO_LONG"]


@pytest.mark.parametrize("first", [0, -1, 101])
def test_first_out_of_range_is_an_error(gql, first):
    payload = gql.query(SEARCH, {"query": "redis", "first": first}, expect_errors=True)

    assert error_codes(payload) == ["INVALID"]
    assert "100" in payload["errors"][0]["message"]


def test_search_results_can_select_relations(gql):
    challenge = ChallengeFactory(
        title="Webhook retries", author=ContributorFactory(user__username="ada")
    )
    SolutionFactory(challenge=challenge, body="Idempotency keys.")

    data = gql.query(
        """
        {
          search(query: "webhook") {
            __typename
            ... on Challenge { author { username } solutionCount }
            ... on Solution { challenge { title } author { username } }
          }
        }
        """
    )

    challenge_result = next(r for r in data["search"] if r["__typename"] == "Challenge")
    solution_result = next(r for r in data["search"] if r["__typename"] == "Solution")
    assert challenge_result == {
        "__typename": "Challenge",
        "author": {"username": "ada"},
        "solutionCount": 1,
    }
    assert solution_result["challenge"] == {"title": "Webhook retries"}
