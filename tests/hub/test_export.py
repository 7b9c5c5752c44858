"""The hub as one Markdown document: written by export_hub, read back by load_hub --from."""

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from markdown_it import MarkdownIt

from hub.content.document import ANCHOR, CHALLENGE, LEARNING, PROJECT, RESOURCE, TECHNOLOGY
from hub.content.export import render_hub_markdown
from hub.content.loader import (
    DATA_DIR,
    entry_state,
    load_hub,
    read_seed_data,
)
from hub.content.markdown_reader import (
    load_hub_document,
    parse_hub_document,
    read_hub_document,
)
from hub.models import (
    Challenge,
    ContentStatus,
    Learning,
    LearningKind,
    Project,
    Resource,
    ResourceKind,
    SeedRecord,
    Solution,
    Technology,
)
from tests.factories import (
    ChallengeFactory,
    LearningFactory,
    ProjectFactory,
    ResourceFactory,
    SolutionFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

SECTION_HEADINGS = [
    "## Technologies",
    "## Concepts",
    "## Challenges",
    "## Best practices",
    "## Takeaways",
    "## Collaboration",
    "## Projects",
    "## Resources",
]


def empty_the_hub():
    """An empty hub, as in a new database (accounts may stay: they are not content)."""
    Solution.objects.all().delete()
    Resource.objects.all().delete()
    Challenge.objects.all().delete()
    Learning.objects.all().delete()
    Project.objects.all().delete()
    Technology.objects.all().delete()
    SeedRecord.objects.all().delete()


def round_trip(tmp_path) -> tuple[str, str]:
    """Export, load into an emptied hub, export again: both documents."""
    first = render_hub_markdown()
    path = tmp_path / "hub.md"
    path.write_text(first, encoding="utf-8")
    empty_the_hub()
    load_hub_document(path)
    return first, render_hub_markdown()


def section_of(document: str, heading: str) -> str:
    start = document.index(f"\n{heading}\n")
    following = [document.find(f"\n{h}\n", start + 1) for h in SECTION_HEADINGS]
    ends = [i for i in following if i > start]
    return document[start : min(ends) if ends else len(document)]


@pytest.fixture
def small_hub():
    django = TechnologyFactory(name="Django", slug="django", summary="The web framework.")
    redis = TechnologyFactory(name="Redis", slug="redis", category="CACHE", summary="A cache.")
    project = ProjectFactory(title="Airbnb Clone", slug="airbnb-clone", highlights=["GraphQL API"])
    project.technologies.set([django])
    for kind in LearningKind.values:
        learning = LearningFactory(title=f"A {kind.lower()}", kind=kind, summary=f"{kind} summary")
        learning.technologies.set([redis])
    challenge = ChallengeFactory(
        title="Slow listings", slug="slow-listings", project=project, description="N+1 queries."
    )
    challenge.technologies.set([django, redis])
    SolutionFactory(challenge=challenge, body="Cache it.", score=3)
    SolutionFactory(challenge=challenge, body="Prefetch.", is_accepted=True)
    resource = ResourceFactory(
        title="Redis docs",
        slug="redis-docs",
        url="https://redis.io/docs/latest/",
        summary="Every **command**.",
    )
    resource.technologies.set([redis, django])
    return challenge


def test_the_document_has_every_section_in_order(small_hub):
    document = render_hub_markdown()

    positions = [document.index(f"\n{heading}\n") for heading in SECTION_HEADINGS]
    assert positions == sorted(positions)
    assert document.startswith("# ProDev Backend knowledge hub\n")
    assert "1 challenges" in document and "4 learnings" in document and "1 resources" in document


def test_each_learning_is_written_in_its_kinds_section(small_hub):
    document = render_hub_markdown()

    assert "### A concept\n" in section_of(document, "## Concepts")
    assert "### A best_practice\n" in section_of(document, "## Best practices")
    assert "### A takeaway\n" in section_of(document, "## Takeaways")
    assert "### A collaboration\n" in section_of(document, "## Collaboration")


def test_a_technology_is_written_with_what_was_learned(small_hub):
    technologies = section_of(render_hub_markdown(), "## Technologies")

    assert (
        '<a id="technology-redis"></a>\n### Redis\n\n'
        "- **Category:** Cache\n- **Summary:** A cache.\n\nLearned **things**.\n"
    ) in technologies


def test_a_challenge_is_written_with_its_accepted_solution_first(small_hub):
    challenges = section_of(render_hub_markdown(), "## Challenges")

    assert (
        '<a id="challenge-slow-listings"></a>\n### Slow listings\n\n'
        "- **Project:** [Airbnb Clone](#project-airbnb-clone)\n"
        "- **Technologies:** [Django](#technology-django), [Redis](#technology-redis)\n\n"
        "N+1 queries.\n\n"
        '<a id="solution-slow-listings-1"></a>\n#### Accepted solution\n\nPrefetch.\n\n'
        '<a id="solution-slow-listings-2"></a>\n#### Solution\n\nCache it.\n'
    ) in challenges


def test_a_project_is_written_with_its_highlights(small_hub):
    projects = section_of(render_hub_markdown(), "## Projects")

    assert (
        "### Airbnb Clone\n\n- **Summary:** A project.\n"
        "- **Technologies:** [Django](#technology-django)\n- **Repository:** none\n"
        "- **Highlights:**\n  - GraphQL API\n\nDescription of the project.\n"
    ) in projects


def test_a_resource_is_written_with_its_kind_url_and_summary(small_hub):
    resources = section_of(render_hub_markdown(), "## Resources")

    assert resources == (
        '\n## Resources\n\n<a id="resource-redis-docs"></a>\n### Redis docs\n\n'
        "- **Kind:** Documentation\n- **URL:** https://redis.io/docs/latest/\n"
        "- **Technologies:** [Django](#technology-django), [Redis](#technology-redis)\n\n"
        "Every **command**.\n"
    )


def test_only_what_anyone_may_see_is_written(small_hub):
    LearningFactory(title="Waiting for review", status=ContentStatus.PENDING)
    ChallengeFactory(title="Hidden by a moderator", status=ContentStatus.HIDDEN)
    SolutionFactory(challenge=small_hub, body="Spam answer.", status=ContentStatus.HIDDEN)

    document = render_hub_markdown()

    for unpublished in ("Waiting for review", "Hidden by a moderator", "Spam answer."):
        assert unpublished not in document


def test_the_document_costs_the_same_queries_however_much_the_hub_holds(small_hub):
    with CaptureQueriesContext(connection) as small:
        render_hub_markdown()
    for n in range(5):
        LearningFactory(title=f"More {n}").technologies.set([Technology.objects.first()])
        SolutionFactory(challenge=ChallengeFactory(project=Project.objects.first()))
        ResourceFactory().technologies.set([Technology.objects.first()])

    with CaptureQueriesContext(connection) as larger:
        render_hub_markdown()

    # One query per list and one per relation it shows.
    assert len(larger) == len(small) <= 12


def test_export_then_load_into_an_empty_hub_then_export_gives_the_same_document(tmp_path):
    load_hub()
    challenge = Challenge.objects.get(slug="drf-nested-serialization-errors")
    # Community content: answers ranked by votes, a learning without summary, texts
    # with Windows line ends, headings and a line that looks like an anchor.
    SolutionFactory(challenge=challenge, body="Upvoted.\r\n\r\n### A heading\n", score=5)
    SolutionFactory(challenge=challenge, body='Quoting:\n<a id="technology-python"></a>\nend')
    LearningFactory(kind=LearningKind.TAKEAWAY, title="  Spaced   title ", summary="")
    # A contributor's published resource of another kind, without technologies.
    ResourceFactory(title="A talk", kind=ResourceKind.VIDEO, url="https://example.com/talk?b=2&a=1")

    first, second = round_trip(tmp_path)

    assert second == first
    assert "### Spaced title\n" in first
    assert "- **Kind:** Video\n- **URL:** https://example.com/talk?b=2&a=1\n" in first
    # A contributor's anchor-like line is text, not HTML: it cannot cut its entry short.
    assert '\n&lt;a id="technology-python">&lt;/a>\n' in first
    assert Solution.objects.filter(challenge__slug=challenge.slug).count() == 4


def test_reading_the_document_gives_the_same_entries_as_the_yaml_files(tmp_path):
    load_hub()
    path = tmp_path / "hub.md"
    path.write_text(render_hub_markdown(), encoding="utf-8")

    from_document = read_hub_document(path).entries
    from_yaml = read_seed_data(DATA_DIR).entries

    for kind in (TECHNOLOGY, PROJECT, LEARNING, RESOURCE):
        states = sorted((entry_state(kind, e) for e in from_document[kind]), key=str)
        assert states == sorted((entry_state(kind, e) for e in from_yaml[kind]), key=str)
    assert _challenges(from_document) == _challenges(from_yaml)


def _challenges(entries) -> dict:
    """Each challenge's state with its solutions as a set (the document ranks them)."""
    return {
        c["slug"]: (
            entry_state(CHALLENGE, c),
            sorted((s["body"], s["accepted"]) for s in c["solutions"]),
        )
        for c in entries[CHALLENGE]
    }


def test_loading_the_document_twice_changes_nothing_the_second_time(tmp_path):
    load_hub()
    path = tmp_path / "hub.md"
    path.write_text(render_hub_markdown(), encoding="utf-8")
    empty_the_hub()
    load_hub_document(path)

    report = load_hub_document(path)

    assert report.created == report.updated == report.skipped == []


# ------------------------------------------------------------------ commands


def test_export_hub_writes_the_document_to_stdout_or_a_file(small_hub, tmp_path):
    out = StringIO()
    call_command("export_hub", stdout=out)
    call_command("export_hub", output=tmp_path / "hub.md", stderr=StringIO())

    assert out.getvalue() == render_hub_markdown()
    assert (tmp_path / "hub.md").read_text(encoding="utf-8") == render_hub_markdown()


def test_export_hub_reports_a_file_it_cannot_write(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_hub", output=tmp_path / "missing-dir" / "hub.md")


def test_load_hub_from_reads_a_document(small_hub, tmp_path):
    path = tmp_path / "hub.md"
    call_command("export_hub", output=path, stderr=StringIO())
    empty_the_hub()
    out = StringIO()

    call_command("load_hub", "--from", str(path), stdout=out)

    assert "Hub content: 11 created" in out.getvalue()
    assert render_hub_markdown() == path.read_text(encoding="utf-8")


def test_load_hub_from_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No hub document at"):
        call_command("load_hub", "--from", str(tmp_path / "nope.md"))


def test_load_hub_takes_either_a_data_dir_or_a_document(tmp_path):
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("load_hub", "--from", "hub.md", "--data-dir", str(tmp_path))


# ------------------------------------------------------------------ bad documents


def problems(document: str) -> str:
    with pytest.raises(ValueError) as caught:
        parse_hub_document(document, "hub.md")
    return str(caught.value)


TECHNOLOGY_ENTRY = """<a id="technologies"></a>
## Technologies

<a id="technology-redis"></a>
### Redis

- **Category:** Cache
- **Summary:** A cache.

What was learned.
"""


RESOURCE_ENTRY = """<a id="resources"></a>
## Resources

<a id="resource-redis-docs"></a>
### Redis docs

- **Kind:** Documentation
- **URL:** https://redis.io/docs/latest/
- **Technologies:** [Redis](#technology-redis)

Every **command**.
"""


def test_a_well_formed_entry_is_read_as_a_seed_entry():
    rows = parse_hub_document(TECHNOLOGY_ENTRY)

    assert rows[TECHNOLOGY] == [
        {
            "name": "Redis",
            "slug": "redis",
            "category": "CACHE",
            "summary": "A cache.",
            "learned": "What was learned.",
        }
    ]


def test_a_well_formed_resource_is_read_as_a_seed_entry():
    rows = parse_hub_document(RESOURCE_ENTRY.replace("Documentation", "docs"))

    assert rows[RESOURCE] == [
        {
            "title": "Redis docs",
            "slug": "redis-docs",
            "url": "https://redis.io/docs/latest/",
            "kind": "DOCS",
            "summary": "Every **command**.",
            "technologies": ["redis"],
        }
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("# Just a README\n", "line 1: no <a id"),
        (TECHNOLOGY_ENTRY.replace("technology-redis", "gadget-redis"), "line 4: unknown anchor"),
        (
            TECHNOLOGY_ENTRY.replace("Category:** Cache", "Category:** Kitchen"),
            "Category 'Kitchen'",
        ),
        (TECHNOLOGY_ENTRY.replace("### Redis", "Redis"), "line 5: expected a heading ('### ...')"),
        (TECHNOLOGY_ENTRY.replace("- **Summary:**", "- **Colour:**"), "line 8: expected the tech"),
        (
            TECHNOLOGY_ENTRY.replace("## Technologies\n", "## Technologies\nIntro.\n"),
            "line 3: text",
        ),
        (TECHNOLOGY_ENTRY.replace('"technologies"', '"projects"'), "cannot be in the Projects"),
        (
            TECHNOLOGY_ENTRY + '\n<a id="solution-redis-1"></a>\n#### Solution\n\nText.\n',
            "a solution must follow its challenge",
        ),
        (
            RESOURCE_ENTRY.replace("Documentation", "Podcast"),
            "line 4: Kind 'Podcast' is not one of Documentation, Tutorial,",
        ),
        (RESOURCE_ENTRY.replace("- **URL:**", "- **Link:**"), "line 8: expected the resource"),
        (RESOURCE_ENTRY.replace('"resources"', '"projects"'), "cannot be in the Projects"),
    ],
    ids=[
        "no anchors",
        "unknown anchor",
        "unknown category",
        "no heading",
        "unknown field",
        "stray text",
        "wrong section",
        "orphan solution",
        "unknown resource kind",
        "unknown resource field",
        "resource in the wrong section",
    ],
)
def test_a_malformed_document_is_refused_with_the_line_and_the_reason(document, expected):
    assert expected in problems(document)


def test_links_to_unknown_technologies_are_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "hub.md"
    learning = (
        '\n<a id="concepts"></a>\n## Concepts\n\n<a id="learning-caching"></a>\n### Caching\n\n'
        "- **Summary:** Why.\n- **Technologies:** [Memcached](#technology-memcached)\n\nBody.\n"
    )
    path.write_text(TECHNOLOGY_ENTRY + learning, encoding="utf-8")

    with pytest.raises(ValueError, match="unknown technology slug 'memcached'"):
        load_hub_document(path)
    assert not Technology.objects.exists()


def test_a_resource_document_with_two_entries_of_one_page_is_refused(tmp_path):
    path = tmp_path / "hub.md"
    again = RESOURCE_ENTRY.split("\n\n", 1)[1].replace("redis-docs", "redis-again")
    again = again.replace("https://redis.io/docs/latest/", "https://REDIS.io/docs/latest#top")
    path.write_text(TECHNOLOGY_ENTRY + "\n" + RESOURCE_ENTRY + "\n" + again, encoding="utf-8")

    with pytest.raises(ValueError) as raised:
        load_hub_document(path)

    assert (
        "hub.md (Resources), entry #2 ('redis-again'): url 'https://REDIS.io/docs/latest#top' "
        "is the same page (https://redis.io/docs/latest) as the url of entry #1 ('redis-docs')"
    ) in str(raised.value)
    assert not Resource.objects.exists()


# --- Published content only, and no raw HTML from contributors -----------------------------

STATUSES = list(ContentStatus)


def test_only_published_content_is_written_for_every_status_and_nesting(small_hub):
    """Every status of learnings, challenges and solutions, solutions under challenges of
    every status: a text is written exactly when it and what holds it are published."""
    expected_in, expected_out = [], []
    for challenge_status, solution_status in itertools.product(STATUSES, STATUSES):
        marker = f"MARK-solution-{challenge_status}-{solution_status}"
        challenge = ChallengeFactory(
            title=f"MARK-challenge-{challenge_status}-{solution_status}", status=challenge_status
        )
        SolutionFactory(challenge=challenge, body=marker, status=solution_status)
        public = challenge_status == solution_status == ContentStatus.PUBLISHED
        (expected_in if public else expected_out).append(marker)
        (expected_in if challenge_status == "PUBLISHED" else expected_out).append(challenge.title)
    for status in STATUSES:
        learning = LearningFactory(title=f"MARK-learning-{status}", status=status)
        (expected_in if status == "PUBLISHED" else expected_out).append(learning.title)
        resource = ResourceFactory(title=f"MARK-resource-{status}", status=status)
        (expected_in if status == "PUBLISHED" else expected_out).append(resource.title)

    document = render_hub_markdown()

    assert [m for m in expected_in if m not in document] == []
    assert [m for m in expected_out if m in document] == []


RAW_HTML = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "<!-- a comment -->",
    "<?php echo 1; ?>",
    "<!DOCTYPE html>",
    "<![CDATA[ x ]]>",
    "</div>",
    '<a href="javascript:alert(1)">link</a>',
    "<details><summary>More</summary>hidden</details>",
    '<span style="color:red">red</span>',
]
# Where a contributor may put it: a Markdown text at every block position, or a title.
PLACES = [
    "{html}",
    "Before {html} after.",
    "- a list item {html}",
    "> a quote {html}",
    "1. a numbered item\n\n   {html}",
    "Text with `code` then {html} then `more code`.",
    "A paragraph\n{html}\nover lines.",
]
CODE = "Keep code:\n\n```html\n<div>kept</div>\n```\n\nand `<b>kept</b>` inline."


def raw_html_tokens(document: str) -> list[str]:
    """The raw HTML a CommonMark renderer with HTML on would pass through, the document's
    own anchor lines left out."""
    text = "\n".join("" if ANCHOR.match(line) else line for line in document.split("\n"))
    found = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "html_block":
            found.append(token.content)
        found += [c.content for c in token.children or () if c.type == "html_inline"]
    return found


@pytest.mark.parametrize("html", RAW_HTML)
def test_no_raw_html_from_contributors_is_written_in_any_place(small_hub, tmp_path, html):
    texts = [place.format(html=html) for place in PLACES]
    challenge = ChallengeFactory(title=f"Title {html}", description=texts[0])
    for n, text in enumerate(texts[1:]):
        SolutionFactory(challenge=challenge, body=f"{text}\n\n{CODE}", score=n)
        LearningFactory(title=f"Learning {n} {html}", summary=html, body=text)
        ResourceFactory(title=f"Resource {n} {html}", summary=text)

    shown_before = sorted(Solution.objects.filter(challenge=challenge).values_list("body_html"))

    first, second = round_trip(tmp_path)

    assert raw_html_tokens(first) == []
    assert first.count("<div>kept</div>") == first.count("`<b>kept</b>`") == len(PLACES) - 1
    assert second == first  # escaped once: read back and written again, unchanged
    # Read back, the texts show as before: `&lt;` renders as `<` (and code as typed).
    loaded = Solution.objects.filter(challenge__title__startswith="Title")
    assert sorted(loaded.values_list("body_html")) == shown_before
