"""`technologies` and `technology`: what the program taught, and what hangs off it."""

import pytest

from hub.models import ContentStatus, TechnologyCategory
from tests.factories import ChallengeFactory, LearningFactory, ProjectFactory, TechnologyFactory
from tests.schema.helpers import day, pluck

TECHNOLOGIES = """
query Technologies($category: TechnologyCategory, $search: String, $orderBy: TechnologyOrder) {
  technologies(category: $category, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { name slug category } }
  }
}
"""

TECHNOLOGY = """
query Technology($slug: String!) {
  technology(slug: $slug) {
    id
    name
    slug
    category
    summary
    learned
    learnedHtml
    createdAt
    learnings { totalCount edges { node { title } } }
    projects { totalCount edges { node { title } } }
    challenges { totalCount edges { node { title } } }
  }
}
"""


def names(data) -> list[str]:
    return pluck(data["technologies"], "name")


def test_technologies_are_listed_by_name_by_default(gql):
    for name in ["Redis", "Django", "PostgreSQL"]:
        TechnologyFactory(name=name)

    data = gql.query(TECHNOLOGIES)

    assert names(data) == ["Django", "PostgreSQL", "Redis"]
    assert data["technologies"]["totalCount"] == 3


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("NAME", ["Celery", "Django", "Kafka"]),
        ("TITLE", ["Celery", "Django", "Kafka"]),
        ("NEWEST", ["Celery", "Kafka", "Django"]),
        ("OLDEST", ["Django", "Kafka", "Celery"]),
    ],
)
def test_technologies_order_by(gql, order_by, expected):
    TechnologyFactory(name="Django", created_at=day(1))
    TechnologyFactory(name="Kafka", created_at=day(2))
    TechnologyFactory(name="Celery", created_at=day(3))

    data = gql.query(TECHNOLOGIES, {"orderBy": order_by})

    assert names(data) == expected


def test_technologies_filtered_by_category(gql):
    TechnologyFactory(name="Python", category=TechnologyCategory.LANGUAGE)
    TechnologyFactory(name="PostgreSQL", category=TechnologyCategory.DATABASE)
    TechnologyFactory(name="Go", category=TechnologyCategory.LANGUAGE)

    data = gql.query(TECHNOLOGIES, {"category": "LANGUAGE"})

    assert names(data) == ["Go", "Python"]
    assert set(pluck(data["technologies"], "category")) == {"LANGUAGE"}


def test_technologies_filtered_by_search(gql):
    TechnologyFactory(name="Redis", summary="In-memory cache and message broker.")
    TechnologyFactory(name="Django", summary="Web framework.")

    data = gql.query(TECHNOLOGIES, {"search": "broker"})

    assert names(data) == ["Redis"]


def test_an_unknown_category_is_rejected_by_validation(gql):
    payload = gql.query(TECHNOLOGIES, {"category": "SPREADSHEET"}, expect_errors=True)

    assert "SPREADSHEET" in payload["errors"][0]["message"]


def test_technology_by_slug(gql):
    TechnologyFactory(
        name="Django REST Framework",
        category=TechnologyCategory.FRAMEWORK,
        summary="APIs on Django.",
        learned="Serializers **validate** input.",
    )

    technology = gql.query(TECHNOLOGY, {"slug": "django-rest-framework"})["technology"]

    assert technology["name"] == "Django REST Framework"
    assert technology["slug"] == "django-rest-framework"
    assert technology["category"] == "FRAMEWORK"
    assert technology["summary"] == "APIs on Django."
    assert technology["learned"] == "Serializers **validate** input."
    assert technology["learnedHtml"] == "<p>Serializers <strong>validate</strong> input.</p>"
    assert technology["createdAt"].startswith("20")


def test_an_unknown_technology_slug_is_null(gql):
    assert gql.query(TECHNOLOGY, {"slug": "cobol"}) == {"technology": None}


def test_technology_lists_its_learnings_projects_and_challenges(gql):
    django = TechnologyFactory(name="Django")
    other = TechnologyFactory(name="Rails")
    LearningFactory(title="ORM pitfalls", created_at=day(1)).technologies.add(django)
    LearningFactory(title="Signals", created_at=day(2)).technologies.add(django)
    LearningFactory(title="Not about Django").technologies.add(other)
    ProjectFactory(title="Nexus").technologies.add(django)
    ProjectFactory(title="Other project").technologies.add(other)
    ChallengeFactory(title="Slow admin").technologies.add(django)

    technology = gql.query(TECHNOLOGY, {"slug": "django"})["technology"]

    assert pluck(technology["learnings"]) == ["Signals", "ORM pitfalls"]
    assert technology["learnings"]["totalCount"] == 2
    assert pluck(technology["projects"]) == ["Nexus"]
    assert pluck(technology["challenges"]) == ["Slow admin"]


def test_technology_lists_only_published_content_to_anonymous_viewers(gql):
    django = TechnologyFactory(name="Django")
    LearningFactory(title="Published learning").technologies.add(django)
    LearningFactory(title="Pending learning", status=ContentStatus.PENDING).technologies.add(django)
    ChallengeFactory(title="Published challenge").technologies.add(django)
    ChallengeFactory(title="Hidden challenge", status=ContentStatus.HIDDEN).technologies.add(django)

    technology = gql.query(TECHNOLOGY, {"slug": "django"})["technology"]

    assert pluck(technology["learnings"]) == ["Published learning"]
    assert pluck(technology["challenges"]) == ["Published challenge"]
    assert technology["challenges"]["totalCount"] == 1
