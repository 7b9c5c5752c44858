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

import importlib

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline, image, link

# A short row in a wide table is padded with empty cells, so a 2,500-character
# field could expand into markdown-it-py's own limit of 65,536 cells: 650 kB of
# HTML and a second of CPU. 1,024 is more than any real table leaves empty, and
# keeps that expansion to a few tens of milliseconds.
# (The package re-exports the rule function under the module's name, hence import_module.)
importlib.import_module("markdown_it.rules_block.table").MAX_AUTOCOMPLETED_CELLS = 1024

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


# A reference link copies its definition's URL and title to every use: one
# 10,000-character URL used 2,500 times as "[r] " is 25 MB of HTML from a 20 kB
# field. Uses may copy this many characters more than they spell out; past it a
# link keeps its text and loses its target, so the output stays linear in the input.
_EXPANSION_PER_CHARACTER = 8
_EXPANSION_FLOOR = 4096
_EXPANSION_LEFT = "nexus_expansion_left"
_TARGET_ATTRIBUTES = {"link_open": ("href", "title"), "image": ("src", "title")}


def _start_expansion_budget(state: StateCore) -> None:
    state.env[_EXPANSION_LEFT] = _EXPANSION_PER_CHARACTER * len(state.src) + _EXPANSION_FLOOR


def _within_expansion_budget(rule):
    """Wrap the link or image rule: charge what a link copies beyond its own source."""

    def limited(state: StateInline, silent: bool) -> bool:
        start, first_token = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            # Pending text is flushed first, so the link's token may not be the first new one.
            token = next(t for t in state.tokens[first_token:] if t.type in _TARGET_ATTRIBUTES)
            names = _TARGET_ATTRIBUTES[token.type]
            copied = sum(len(str(token.attrs.get(name, ""))) for name in names)
            state.env[_EXPANSION_LEFT] -= max(0, copied - (state.pos - start))
            if state.env[_EXPANSION_LEFT] < 0:
                for name in names:
                    token.attrs.pop(name, None)
        return True

    return limited


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False})
    parser.enable(["table", "strikethrough"])
    parser.inline.ruler.at("link", _within_expansion_budget(link))
    parser.inline.ruler.at("image", _within_expansion_budget(image))
    parser.core.ruler.before("inline", "start_expansion_budget", _start_expansion_budget)
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
