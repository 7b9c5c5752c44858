"""hubDocument: the whole published hub as one Markdown document, over GraphQL."""

from hub.content.export import render_hub_markdown
from hub.models import ContentStatus
from tests.factories import ChallengeFactory, LearningFactory, TechnologyFactory


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

    assert response.status_code == 400
    assert "HubDocumentFormat" in response.json()["errors"][0]["message"]
