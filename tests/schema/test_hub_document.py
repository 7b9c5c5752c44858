"""hubDocument: the whole published hub as one Markdown document, over GraphQL."""

from hub.content.export import render_hub_markdown
from hub.models import ContentStatus
from tests.conftest import GraphQLClient
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import client_for


def test_hub_document_is_the_exported_markdown(gql):
    TechnologyFactory(name="Redis", slug="redis")
    ChallengeFactory(title="Slow listings")

    data = gql.query("{ hubDocument(format: MARKDOWN) }")

    assert data["hubDocument"] == render_hub_markdown()
    assert "### Slow listings\n" in data["hubDocument"]


def test_markdown_is_the_default_format(gql):
    assert gql.query("{ hubDocument }")["hubDocument"] == render_hub_markdown()


def test_the_document_is_the_published_hub_whoever_asks(gql, contributor):
    LearningFactory(title="My draft", author=contributor, status=ContentStatus.PENDING)

    document = gql.login(contributor).query("{ hubDocument }")["hubDocument"]

    assert "My draft" not in document


def test_an_unknown_format_is_a_validation_error(gql):
    response = gql.post("{ hubDocument(format: PDF) }")

    assert response.status_code == 200  # a request error, under application/json
    assert "data" not in response.json()
    assert "HubDocumentFormat" in response.json()["errors"][0]["message"]


def test_every_viewer_gets_the_published_hub_without_raw_html(gql, contributor):
    """Anonymous, the author of unpublished content and a moderator get the same document:
    published content only, contributors' HTML written as text."""
    published = ChallengeFactory(author=contributor, title="Open <b>challenge</b>")
    for status in ContentStatus:
        LearningFactory(author=contributor, status=status, title=f"MARK-learning-{status}")
        hidden_or_not = ChallengeFactory(
            author=contributor, status=status, title=f"MARK-challenge-{status}"
        )
        SolutionFactory(author=contributor, challenge=hidden_or_not, body=f"MARK-on-{status}")
        SolutionFactory(
            author=contributor, challenge=published, status=status, body=f"MARK-{status}"
        )
    viewers = [
        GraphQLClient(),
        client_for(contributor),
        client_for(ContributorFactory(user__is_staff=True)),
    ]

    documents = {client.query("{ hubDocument }")["hubDocument"] for client in viewers}

    assert documents == {render_hub_markdown()}
    document = documents.pop()
    shown = {line for line in document.split("\n") if "MARK-" in line}
    assert shown == {
        "### MARK-learning-PUBLISHED",
        "### MARK-challenge-PUBLISHED",
        "MARK-on-PUBLISHED",
        "MARK-PUBLISHED",
    }
    assert "### Open &lt;b>challenge&lt;/b>" in document
