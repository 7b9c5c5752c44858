"""hub.markdown.render_markdown: markdown in, HTML safe to inject into a page out."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.markdown import render_markdown
from tests.hub.markdown_helpers import assert_inert, read_html


def test_empty_text_renders_to_an_empty_string():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_markdown_is_rendered():
    assert render_markdown("Some **bold** and *italic* `code`.") == (
        "<p>Some <strong>bold</strong> and <em>italic</em> <code>code</code>.</p>"
    )


def test_headings_lists_and_quotes():
    html = render_markdown("# Title\n\n- one\n- two\n\n> quoted")

    assert "<h1>Title</h1>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<blockquote>" in html


def test_a_list_nested_under_a_numbered_item_is_a_list():
    # CommonMark nests at the item's content column (3 spaces after "1. "),
    # where Python-Markdown wanted 4 and ran the sub-items into one line.
    html = render_markdown("1. **Fix the cause**:\n   - add indexes;\n   - drop N+1 queries.")

    assert html == (
        "<ol>\n<li><strong>Fix the cause</strong>:\n<ul>\n"
        "<li>add indexes;</li>\n<li>drop N+1 queries.</li>\n</ul>\n</li>\n</ol>"
    )


def test_a_numbered_list_keeps_its_first_number():
    assert render_markdown("3. three\n4. four").startswith('<ol start="3">')


def test_fenced_code_keeps_its_language_class():
    html = render_markdown("```python\nprint('<b>')\n```")

    assert html == "<pre><code class=\"language-python\">print('&lt;b&gt;')\n</code></pre>"


def test_tables_are_rendered():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")

    assert "<table>" in html
    assert "<th>a</th>" in html
    assert "<td>2</td>" in html


def test_table_column_alignment_survives():
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")

    assert '<td align="left">1</td>' in html
    assert '<td align="center">2</td>' in html
    assert '<td align="right">3</td>' in html
    assert "style" not in html


def test_strikethrough_is_a_del_element():
    assert render_markdown("~~gone~~ kept") == "<p><del>gone</del> kept</p>"


def test_safe_links_get_rel_attributes():
    html = render_markdown("[docs](https://example.com/docs)")

    assert 'href="https://example.com/docs"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_raw_html_is_shown_as_text_never_as_an_element():
    html = render_markdown("Hello\n\n<script>alert('x')</script>\n\nworld")

    assert html == ("<p>Hello</p>\n<p>&lt;script&gt;alert('x')&lt;/script&gt;</p>\n<p>world</p>")
    assert "script" not in read_html(html).tags


def test_angle_brackets_in_prose_stay_visible():
    # Python-Markdown took <token> for a tag and nh3 dropped it with its text.
    html = render_markdown("Send Authorization: Bearer <token> with each request.")

    assert read_html(html).text == "Send Authorization: Bearer <token> with each request."


def test_raw_html_on_the_allow_list_is_shown_as_typed():
    html = render_markdown("H<sub>2</sub>O and <kbd>Ctrl</kbd>")

    assert html == "<p>H&lt;sub&gt;2&lt;/sub&gt;O and &lt;kbd&gt;Ctrl&lt;/kbd&gt;</p>"


@pytest.mark.parametrize(
    "text",
    [
        '<img src="https://example.com/a.png" onerror="alert(1)">',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        "<IMG SRC=\"https://example.com/a.png\" OnError='alert(1)'>",
        '[x](https://example.com "t" onclick="alert(1)")',
    ],
)
def test_event_handlers_are_removed(text):
    found = assert_inert(render_markdown(text))

    assert not [attrs for _, attrs in found.elements if any(a.startswith("on") for a in attrs)]
    assert found.tags <= {"p"}


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](<javascript:alert(1)>)",
        "[click]\n\n[click]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "![img](javascript:alert(1))",
        "![img](data:image/png;base64,AAAA)",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox(1))",
        "[click](file:///etc/passwd)",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="&#106;avascript:alert(1)">click</a>',
        '<img src="javascript:alert(1)">',
    ],
)
def test_unsafe_url_schemes_are_removed(text):
    found = assert_inert(render_markdown(text))

    assert found.attributes("href") == []
    assert found.attributes("src") == []


@pytest.mark.parametrize(
    "tag",
    ['<iframe src="https://example.com"></iframe>', "<style>body{}</style>", "<form></form>"],
)
def test_tags_outside_the_allow_list_are_dropped(tag):
    html = render_markdown(f"before\n\n{tag}\n\nafter")

    assert not read_html(html).tags & {"iframe", "style", "form"}
    assert "before" in html
    assert "after" in html


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">a</a>',
    "<svg onload=alert(1)>",
    "[a](javascript:alert(1))",
    "![a](javascript:alert(1))",
    "[a](JAVASCRIPT:alert(1))",
    "[a][r]\n\n[r]: vbscript:msgbox(1)",
    "<javascript:alert(1)>",
    '[a](https://example.com "x" onmouseover="alert(1)")',
    "<!-- <script>alert(1)</script> -->",
    "<div onclick=alert(1)>x</div>",
]
CONTEXTS = [
    "{}",
    "- {}",
    "1. item\n   {}",
    "> {}",
    "> - > {}",
    "| col |\n|-----|\n| {} |",
    "**{}**",
    "[{}](https://example.com/wrap)",
    "~~{}~~",
    "# {}",
]


@pytest.mark.parametrize(
    ("payload", "context"),
    list(itertools.product(HOSTILE, CONTEXTS)),
    ids=lambda value: repr(value)[:30],
)
def test_hostile_markup_is_inert_wherever_it_is_put(payload, context):
    # A control link rides along: rendering happened and safe links still work.
    text = context.format(payload) + "\n\n[control](https://example.com/ok)"

    found = assert_inert(render_markdown(text))

    assert "https://example.com/ok" in found.attributes("href")


# Every character Markdown gives a meaning to, plus letters, a scheme and an entity.
MARKDOWN_PIECES = st.sampled_from(
    [
        *"[]()!*_`~<>&#|\\-+=:.\"' \n\t1aZ",
        *("javascript:", "https://example.com", "&#106;", "<script>", "onerror=", "    ", "```"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_PIECES, max_size=120).map("".join))
def test_any_text_renders_to_inert_html_of_bounded_size(text):
    html = render_markdown(text)

    assert_inert(html)
    assert len(html) <= 40 * len(text) + 100
