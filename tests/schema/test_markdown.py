"""Markdown fields come with a sanitized HTML twin: rendered, with nothing executable."""

import pytest

from tests.factories import (
    ChallengeFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.hub.markdown_helpers import assert_inert

HOSTILE = "\n\n".join(
    [
        "Use **bold** and `code`.",
        "<script>alert('script')</script>",
        '<img src="https://example.com/x.png" onerror="alert(\'img\')">',
        '<a href="https://example.com" onclick="alert(\'click\')">site</a>',
        "[click me](javascript:alert('link'))",
        "![picture](https://example.com/x.png) and [site](https://example.com)",
    ]
)


def assert_safe(html: str) -> None:
    found = assert_inert(html)
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html
    # Raw HTML is shown as typed, never as an element.
    assert "<script>alert('script')</script>" in found.text
    assert found.tags == {"p", "strong", "code", "img", "a"}
    assert found.attributes("src") == ["https://example.com/x.png"]
    assert found.attributes("href") == ["https://example.com"]


@pytest.mark.parametrize(
    ("make", "query"),
    [
        (
            lambda text: TechnologyFactory(name="Hostile", learned=text),
            '{ item: technology(slug: "hostile") { markdown: learned html: learnedHtml } }',
        ),
        (
            lambda text: LearningFactory(title="Hostile", body=text),
            '{ item: learning(slug: "hostile") { markdown: body html: bodyHtml } }',
        ),
        (
            lambda text: ProjectFactory(title="Hostile", description=text),
            '{ item: project(slug: "hostile") { markdown: description html: descriptionHtml } }',
        ),
        (
            lambda text: ChallengeFactory(title="Hostile", description=text),
            '{ item: challenge(slug: "hostile") { markdown: description html: descriptionHtml } }',
        ),
        (
            lambda text: SolutionFactory(challenge=ChallengeFactory(title="Hostile"), body=text),
            '{ challenge(slug: "hostile") { solutions { edges { node {'
            " markdown: body html: bodyHtml } } } } }",
        ),
    ],
    ids=[
        "Technology.learnedHtml",
        "Learning.bodyHtml",
        "Project.descriptionHtml",
        "Challenge.descriptionHtml",
        "Solution.bodyHtml",
    ],
)
def test_html_twins_are_rendered_and_sanitized(gql, make, query):
    make(HOSTILE)

    data = gql.query(query)
    item = data.get("item") or data["challenge"]["solutions"]["edges"][0]["node"]

    assert item["markdown"] == HOSTILE
    assert_safe(item["html"])


def test_an_html_twin_follows_edits(gql):
    learning = LearningFactory(title="Edited", body="*before*")
    learning.body = "**after**"
    learning.save()

    data = gql.query('{ learning(slug: "edited") { bodyHtml } }')

    assert data["learning"]["bodyHtml"] == "<p><strong>after</strong></p>"


def test_an_empty_markdown_field_has_an_empty_twin(gql):
    TechnologyFactory(name="Blank", learned="")

    data = gql.query('{ technology(slug: "blank") { learnedHtml } }')

    assert data["technology"]["learnedHtml"] == ""
