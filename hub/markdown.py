"""Markdown to safe HTML: the one place content is rendered for clients.

The parser is markdown-it-py with its CommonMark preset plus the GFM tables and
strikethrough that markdown-it-py ships: CommonMark is specified so that it parses
in linear time (delimiter runs, brackets and backticks are matched with bounded
look-back, nesting is capped by ``maxNesting``), where Python-Markdown's inline
regexes take tens of seconds on a 19,000-character run of brackets.

Raw HTML in contributor Markdown is disabled in the parser: a ``<tag>`` is escaped
and shows as text, so ``Bearer <token>`` outside backticks stays visible and nothing
an author types becomes an element. nh3 still cleans the rendered HTML with the
allowlists below, a second wall should a parser rule ever emit something unsafe.
"""

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
# No javascript:, data: or vbscript: links survive.
_URL_SCHEMES = {"http", "https", "mailto"}

_CELL_TAGS = {"th_open", "td_open"}
_TEXT_ALIGN = "text-align:"
_STRIKETHROUGH = {"s_open", "s_close"}


def _fit_the_allowlist(state: StateCore) -> None:
    """Speak the allowlist's HTML: ``align`` on table cells, ``<del>`` for ~~struck~~ text.

    markdown-it-py writes ``style="text-align:..."`` and ``<s>``; nh3 would drop both.
    """
    for token in state.tokens:
        if token.type in _CELL_TAGS:
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith(_TEXT_ALIGN):
                token.attrs["align"] = style.removeprefix(_TEXT_ALIGN)
        elif token.type == "inline":
            for child in token.children or ():
                if child.type in _STRIKETHROUGH:
                    child.tag = "del"


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False})
    parser.enable(["table", "strikethrough"])
    parser.core.ruler.push("fit_the_allowlist", _fit_the_allowlist)
    return parser


_PARSER = _parser()


def render_markdown(text: str) -> str:
    """Render markdown and sanitize the HTML (no scripts, handlers or unsafe links)."""
    if not text:
        return ""
    html = _PARSER.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()
