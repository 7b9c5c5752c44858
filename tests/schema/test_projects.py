"""`projects` and `project`: what was built in the program."""

import pytest

from hub.models import ContentStatus
from tests.factories import ChallengeFactory, ProjectFactory, TechnologyFactory
from tests.schema.helpers import day, pluck

PROJECTS = """
query Projects($technology: String, $search: String, $orderBy: ProjectOrder) {
  projects(technology: $technology, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { title } }
  }
}
"""

PROJECT = """
query Project($slug: String!) {
  project(slug: $slug) {
    id
    title
    slug
    summary
    description
    descriptionHtml
    highlights
    repositoryUrl
    technologies { edges { node { name } } }
    challenges { totalCount edges { node { title } } }
  }
}
"""


def titles(data) -> list[str]:
    return pluck(data["projects"])


def test_projects_are_listed_by_title_by_default(gql):
    for title in ["Nexus", "Alx Travel", "Messaging App"]:
        ProjectFactory(title=title)

    data = gql.query(PROJECTS)

    assert titles(data) == ["Alx Travel", "Messaging App", "Nexus"]
    assert data["projects"]["totalCount"] == 3


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("TITLE", ["Booking", "Chat", "Shop"]),
        ("NEWEST", ["Booking", "Shop", "Chat"]),
        ("OLDEST", ["Chat", "Shop", "Booking"]),
    ],
)
def test_projects_order_by(gql, order_by, expected):
    ProjectFactory(title="Chat", created_at=day(1))
    ProjectFactory(title="Shop", created_at=day(2))
    ProjectFactory(title="Booking", created_at=day(3))

    assert titles(gql.query(PROJECTS, {"orderBy": order_by})) == expected


def test_projects_filtered_by_technology_slug(gql):
    graphql = TechnologyFactory(name="GraphQL")
    ProjectFactory(title="Nexus").technologies.add(graphql)
    ProjectFactory(title="Booking")

    assert titles(gql.query(PROJECTS, {"technology": "graphql"})) == ["Nexus"]


def test_projects_filtered_by_search(gql):
    ProjectFactory(title="Nexus", summary="A knowledge hub.")
    ProjectFactory(title="Booking", summary="Reserve rooms.")

    assert titles(gql.query(PROJECTS, {"search": "knowledge"})) == ["Nexus"]


def test_project_by_slug(gql):
    project = ProjectFactory(
        title="Nexus Hub",
        summary="Knowledge hub.",
        description="A **GraphQL** API.",
        highlights=["Relay connections", "JWT auth"],
        repository_url="https://github.com/example/nexus",
    )
    project.technologies.add(TechnologyFactory(name="GraphQL"), TechnologyFactory(name="Django"))

    found = gql.query(PROJECT, {"slug": "nexus-hub"})["project"]

    assert found["title"] == "Nexus Hub"
    assert found["summary"] == "Knowledge hub."
    assert found["description"] == "A **GraphQL** API."
    assert found["descriptionHtml"] == "<p>A <strong>GraphQL</strong> API.</p>"
    assert found["highlights"] == ["Relay connections", "JWT auth"]
    assert found["repositoryUrl"] == "https://github.com/example/nexus"
    assert pluck(found["technologies"], "name") == ["Django", "GraphQL"]


def test_an_unknown_project_slug_is_null(gql):
    assert gql.query(PROJECT, {"slug": "vaporware"}) == {"project": None}


def test_project_lists_its_published_challenges(gql):
    project = ProjectFactory(title="Nexus")
    ChallengeFactory(title="N+1 queries", project=project, created_at=day(1))
    ChallengeFactory(title="Token expiry", project=project, created_at=day(2))
    ChallengeFactory(title="Under review", project=project, status=ContentStatus.PENDING)
    ChallengeFactory(title="Another project's")

    found = gql.query(PROJECT, {"slug": "nexus"})["project"]

    assert pluck(found["challenges"]) == ["Token expiry", "N+1 queries"]
    assert found["challenges"]["totalCount"] == 2
