"""Resources: curated links, submitted, reviewed, listed, searched, one per page."""

import pytest
from graphql_relay import to_global_id

from hub.models import ContentStatus, Resource, ResourceKind, Revision
from tests.conftest import GraphQLClient
from tests.factories import ResourceFactory, TechnologyFactory
from tests.schema.helpers import pluck

RESOURCES = """
query Resources($kind: ResourceKind, $technology: String, $search: String,
                $orderBy: ResourceOrder) {
  resources(kind: $kind, technology: $technology, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { title kind url } }
  }
}
"""
RESOURCE = """
query Resource($slug: String!) {
  resource(slug: $slug) {
    title url kind summary summaryHtml status
    author { username }
    technologies { edges { node { slug } } }
  }
}
"""
SUBMIT = """
mutation Submit($input: SubmitResourceInput!) {
  submitResource(input: $input) {
    resource { id title url kind status summaryHtml slug }
    errors { field code message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateResourceInput!) {
  updateResource(input: $input) {
    resource { title url kind status }
    errors { field code message }
  }
}
"""
MODERATE = """
mutation Moderate($id: ID!) {
  moderate(input: {id: $id, action: PUBLISH}) { errors { code } }
}
"""


def submit(client, **fields):
    values = {
        "title": "Django documentation",
        "url": "https://docs.djangoproject.com/en/5.2/",
        "kind": "DOCS",
        "summary": "Everything **Django**.",
        **fields,
    }
    return client.query(SUBMIT, {"input": values})["submitResource"]


@pytest.fixture
def member(contributor):
    return GraphQLClient().login(contributor)


def test_a_submitted_resource_waits_for_a_moderator(member, moderator, gql):
    TechnologyFactory(slug="django")
    result = submit(member, technologies=["django"])

    assert result["errors"] == []
    assert result["resource"]["status"] == "PENDING"
    assert result["resource"]["summaryHtml"] == "<p>Everything <strong>Django</strong>.</p>"
    assert gql.query(RESOURCES)["resources"]["totalCount"] == 0  # not public yet

    GraphQLClient().login(moderator).query(MODERATE, {"id": result["resource"]["id"]})

    shown = gql.query(RESOURCE, {"slug": result["resource"]["slug"]})["resource"]
    assert shown["status"] == "PUBLISHED"
    assert shown["technologies"]["edges"] == [{"node": {"slug": "django"}}]


@pytest.mark.parametrize(
    "again",
    [
        "https://docs.djangoproject.com/en/5.2",
        "HTTPS://DOCS.DJANGOPROJECT.COM:443/en/5.2/",
        "https://docs.djangoproject.com/en/5.2/?utm_source=newsletter&utm_medium=email",
        "https://docs.djangoproject.com/en/5.2/#top",
    ],
)
def test_one_resource_per_page_however_its_url_is_written(member, again):
    first = submit(member)["resource"]

    result = submit(member, title="Again", url=again)

    assert result["resource"] is None
    assert result["errors"] == [
        {
            "field": "url",
            "code": "DUPLICATE",
            "message": (
                f'This page is already a resource: "Django documentation" ({first["slug"]}).'
            ),
        }
    ]
    assert Resource.objects.count() == 1


def test_a_duplicate_of_someone_elses_pending_resource_names_nothing(member):
    ResourceFactory(url="https://redis.io/docs/", status=ContentStatus.PENDING, title="Secret")

    result = submit(member, url="https://redis.io/docs")

    assert result["errors"][0]["code"] == "DUPLICATE"
    assert "Secret" not in result["errors"][0]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example.com/doc",
        "javascript:alert(1)",
        "/docs/relative",
        "https://user:secret@example.com/",
        "https://example.com:99999/",
        "https://",
        "",
    ],
)
def test_only_http_and_https_urls_are_accepted(member, url):
    result = submit(member, url=url)

    assert result["resource"] is None
    assert result["errors"][0]["field"] == "url"
    assert result["errors"][0]["code"] in ("INVALID", "REQUIRED")
    assert Resource.objects.count() == 0


def test_bad_input_gets_every_error_and_writes_nothing(member):
    result = submit(member, title="", kind=None, summary=None, technologies=["nope"])

    assert {(e["field"], e["code"]) for e in result["errors"]} == {
        ("title", "REQUIRED"),
        ("kind", "REQUIRED"),
        ("summary", "REQUIRED"),
        ("technologies", "NOT_FOUND"),
    }
    assert Resource.objects.count() == 0


def test_signed_out_callers_cannot_submit(gql):
    result = gql.query(SUBMIT, {"input": {"title": "x"}}, expect_errors=True)

    assert Resource.objects.count() == 0
    assert "UNAUTHENTICATED" in str(result)


def test_an_authors_edit_keeps_a_revision_and_goes_back_to_review(contributor, member):
    resource = ResourceFactory(author=contributor, title="Old title", summary="Old summary")
    gid = to_global_id("Resource", resource.pk)

    result = member.query(UPDATE, {"input": {"id": gid, "title": "New title", "kind": "TUTORIAL"}})[
        "updateResource"
    ]

    assert result["errors"] == []
    assert result["resource"] == {
        "title": "New title",
        "url": resource.url,
        "kind": "TUTORIAL",
        "status": "PENDING",
    }
    revision = Revision.objects.get(object_id=resource.pk)
    assert (revision.title, revision.body) == ("Old title", "Old summary")


def test_an_edit_onto_another_resources_page_is_a_duplicate(contributor, member):
    ResourceFactory(url="https://kubernetes.io/docs/", title="Kubernetes docs")
    mine = ResourceFactory(author=contributor, url="https://docs.docker.com/")

    result = member.query(
        UPDATE,
        {"input": {"id": to_global_id("Resource", mine.pk), "url": "https://KUBERNETES.io/docs"}},
    )["updateResource"]

    assert result["errors"][0]["code"] == "DUPLICATE"
    mine.refresh_from_db()
    assert mine.url == "https://docs.docker.com/"


def test_others_cannot_edit(member):
    resource = ResourceFactory(title="Theirs")

    result = member.query(
        UPDATE,
        {"input": {"id": to_global_id("Resource", resource.pk), "title": "Mine"}},
        expect_errors=True,
    )

    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    resource.refresh_from_db()
    assert resource.title == "Theirs"


def test_lists_filter_by_kind_technology_and_search_and_order(gql):
    django = TechnologyFactory(slug="django")
    ResourceFactory(title="B tutorial", kind=ResourceKind.TUTORIAL).technologies.set([django])
    ResourceFactory(title="A docs", kind=ResourceKind.DOCS, summary="About **caching**.")
    ResourceFactory(title="C hidden", status=ContentStatus.HIDDEN)

    assert pluck(gql.query(RESOURCES)["resources"]) == ["A docs", "B tutorial"]
    assert pluck(gql.query(RESOURCES, {"kind": "TUTORIAL"})["resources"]) == ["B tutorial"]
    assert pluck(gql.query(RESOURCES, {"technology": "django"})["resources"]) == ["B tutorial"]
    assert pluck(gql.query(RESOURCES, {"search": "caching"})["resources"]) == ["A docs"]
    oldest = gql.query(RESOURCES, {"orderBy": "OLDEST"})["resources"]
    assert pluck(oldest) == ["B tutorial", "A docs"]


def test_a_technology_lists_its_resources_and_search_finds_them(gql):
    redis = TechnologyFactory(slug="redis")
    ResourceFactory(title="Redis docs", summary="Keys, **expiry**, streams.").technologies.set(
        [redis]
    )

    technology = gql.query(
        '{ technology(slug: "redis") { resources { edges { node { title } } } } }'
    )["technology"]
    found = gql.query('{ search(query: "expiry") { __typename ... on Resource { title } } }')

    assert technology["resources"]["edges"] == [{"node": {"title": "Redis docs"}}]
    assert found["search"] == [{"__typename": "Resource", "title": "Redis docs"}]


def test_moderated_flaggable_and_revisable_through_the_registry(member, moderator):
    resource = ResourceFactory(title="Flag me")
    gid = to_global_id("Resource", resource.pk)

    flagged = member.query(
        "mutation($id: ID!) { flagContent(input: {id: $id, reason: SPAM}) { errors { code } } }",
        {"id": gid},
    )

    assert flagged["flagContent"]["errors"] == []
    hidden = (
        GraphQLClient()
        .login(moderator)
        .query(
            'mutation($id: ID!) { moderate(input: {id: $id, action: HIDE, reason: "spam"}) '
            "{ errors { code } } }",
            {"id": gid},
        )
    )
    assert hidden["moderate"]["errors"] == []
    resource.refresh_from_db()
    assert resource.status == ContentStatus.HIDDEN
