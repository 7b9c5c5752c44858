"""`learnings` and `learning`: concepts, best practices, takeaways, collaboration notes."""

import pytest

from hub.models import ContentStatus, LearningKind
from tests.factories import ContributorFactory, LearningFactory, TechnologyFactory
from tests.schema.helpers import day, pluck

LEARNINGS = """
query Learnings($kind: LearningKind, $technology: String, $search: String,
                $orderBy: LearningOrder) {
  learnings(kind: $kind, technology: $technology, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { title kind } }
  }
}
"""

LEARNING = """
query Learning($slug: String!) {
  learning(slug: $slug) {
    id
    title
    slug
    kind
    summary
    body
    bodyHtml
    status
    createdAt
    updatedAt
    publishedAt
    author { username displayName }
    technologies { edges { node { name } } }
  }
}
"""


def titles(data) -> list[str]:
    return pluck(data["learnings"])


def test_learnings_are_listed_newest_first_by_default(gql):
    LearningFactory(title="Old", created_at=day(1))
    LearningFactory(title="New", created_at=day(3))
    LearningFactory(title="Middle", created_at=day(2))

    data = gql.query(LEARNINGS)

    assert titles(data) == ["New", "Middle", "Old"]
    assert data["learnings"]["totalCount"] == 3


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("NEWEST", ["Caching", "Testing", "Async"]),
        ("OLDEST", ["Async", "Testing", "Caching"]),
        ("TITLE", ["Async", "Caching", "Testing"]),
    ],
)
def test_learnings_order_by(gql, order_by, expected):
    LearningFactory(title="Async", created_at=day(1))
    LearningFactory(title="Testing", created_at=day(2))
    LearningFactory(title="Caching", created_at=day(3))

    assert titles(gql.query(LEARNINGS, {"orderBy": order_by})) == expected


def test_learnings_filtered_by_kind(gql):
    LearningFactory(title="Idempotency", kind=LearningKind.CONCEPT)
    LearningFactory(title="Small pull requests", kind=LearningKind.BEST_PRACTICE)
    LearningFactory(title="Pairing", kind=LearningKind.COLLABORATION)

    data = gql.query(LEARNINGS, {"kind": "BEST_PRACTICE"})

    assert data["learnings"]["edges"] == [
        {"node": {"title": "Small pull requests", "kind": "BEST_PRACTICE"}}
    ]


def test_learnings_filtered_by_technology_slug(gql):
    docker = TechnologyFactory(name="Docker")
    redis = TechnologyFactory(name="Redis")
    LearningFactory(title="Layer caching").technologies.add(docker)
    LearningFactory(title="Eviction policies").technologies.add(redis)
    LearningFactory(title="Compose for Redis").technologies.add(docker, redis)

    data = gql.query(LEARNINGS, {"technology": "docker", "orderBy": "TITLE"})

    assert titles(data) == ["Compose for Redis", "Layer caching"]


def test_learnings_filtered_by_an_unknown_technology_are_empty(gql):
    LearningFactory()

    data = gql.query(LEARNINGS, {"technology": "no-such-tech"})

    assert data["learnings"] == {"totalCount": 0, "edges": []}


def test_learnings_filtered_by_search(gql):
    LearningFactory(title="Database indexes", body="B-tree indexes speed up lookups.")
    LearningFactory(title="Code review", body="Review small changes.")

    assert titles(gql.query(LEARNINGS, {"search": "indexes"})) == ["Database indexes"]


def test_filters_combine(gql):
    django = TechnologyFactory(name="Django")
    LearningFactory(title="Query tuning", kind=LearningKind.CONCEPT).technologies.add(django)
    LearningFactory(title="Query review", kind=LearningKind.TAKEAWAY).technologies.add(django)
    LearningFactory(title="Query plans", kind=LearningKind.CONCEPT)

    data = gql.query(LEARNINGS, {"kind": "CONCEPT", "technology": "django", "search": "query"})

    assert titles(data) == ["Query tuning"]


def test_learning_by_slug(gql):
    author = ContributorFactory(user__username="ada", display_name="Ada L.")
    learning = LearningFactory(
        title="Use select_related",
        kind=LearningKind.BEST_PRACTICE,
        summary="Join to-one relations.",
        body="Avoid *N+1* queries.",
        author=author,
    )
    learning.technologies.add(TechnologyFactory(name="Django"))

    data = gql.query(LEARNING, {"slug": "use-select_related"})

    found = data["learning"]
    assert found["title"] == "Use select_related"
    assert found["kind"] == "BEST_PRACTICE"
    assert found["summary"] == "Join to-one relations."
    assert found["body"] == "Avoid *N+1* queries."
    assert found["bodyHtml"] == "<p>Avoid <em>N+1</em> queries.</p>"
    assert found["status"] == "PUBLISHED"
    assert found["publishedAt"] is not None
    assert found["author"] == {"username": "ada", "displayName": "Ada L."}
    assert pluck(found["technologies"], "name") == ["Django"]


def test_an_unknown_learning_slug_is_null(gql):
    assert gql.query(LEARNING, {"slug": "nothing-here"}) == {"learning": None}


def test_a_learning_whose_author_left_has_no_author(gql):
    LearningFactory(title="Orphan", author=None)

    assert gql.query(LEARNING, {"slug": "orphan"})["learning"]["author"] is None


def test_pending_learnings_are_not_listed_for_anonymous_viewers(gql):
    LearningFactory(title="Published")
    for status in (ContentStatus.PENDING, ContentStatus.REJECTED, ContentStatus.HIDDEN):
        LearningFactory(title=f"Not public ({status})", status=status)

    data = gql.query(LEARNINGS)

    assert titles(data) == ["Published"]
    assert data["learnings"]["totalCount"] == 1
