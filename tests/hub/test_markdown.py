"""hub.markdown.render_markdown: markdown in, HTML safe to inject into a page out."""

import pytest

from hub.markdown import render_markdown


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


def test_fenced_code_keeps_its_language_class():
    html = render_markdown("```python\nprint('<b>')\n```")

    assert html == "<pre><code class=\"language-python\">print('&lt;b&gt;')\n</code></pre>"


def test_tables_are_rendered():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")

    assert "<table>" in html
    assert "<th>a</th>" in html
    assert "<td>2</td>" in html


def test_table_column_alignment_survives():
    html = render_markdown("| a | b |\n|---|--:|\n| 1 | 2 |")

    assert '<td align="right">2</td>' in html


def test_safe_links_get_rel_attributes():
    html = render_markdown("[docs](https://example.com/docs)")

    assert 'href="https://example.com/docs"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_script_tags_are_removed_with_their_content():
    html = render_markdown("Hello\n\n<script>alert('x')</script>\n\nworld")

    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html
    assert "world" in html


@pytest.mark.parametrize(
    "text",
    [
        '<img src="https://example.com/a.png" onerror="alert(1)">',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        "<IMG SRC=\"https://example.com/a.png\" OnError='alert(1)'>",
    ],
)
def test_event_handlers_are_removed(text):
    html = render_markdown(text)

    assert "alert" not in html
    for handler in ("onerror", "onclick", "onmouseover"):
        assert handler not in html.lower()


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<a href="&#106;avascript:alert(1)">click</a>',
        '<img src="javascript:alert(1)">',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">click</a>',
        '<a href="vbscript:msgbox(1)">click</a>',
    ],
)
def test_unsafe_url_schemes_are_removed(text):
    html = render_markdown(text)

    assert "href" not in html
    assert "src" not in html
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert scheme not in html.lower()


@pytest.mark.parametrize(
    "tag",
    ['<iframe src="https://example.com"></iframe>', "<style>body{}</style>", "<form></form>"],
)
def test_tags_outside_the_allow_list_are_dropped(tag):
    html = render_markdown(f"before\n\n{tag}\n\nafter")

    assert "<iframe" not in html
    assert "<style" not in html
    assert "<form" not in html
    assert "before" in html
    assert "after" in html


def test_inline_html_on_the_allow_list_survives():
    assert render_markdown("H<sub>2</sub>O and <kbd>Ctrl</kbd>") == (
        "<p>H<sub>2</sub>O and <kbd>Ctrl</kbd></p>"
    )
