"""The hub document's format, shared by its writer (export.py) and reader (markdown_reader.py).

The document is README-style Markdown. Its structure is carried by anchor lines
(``<a id="..."></a>``, invisible when rendered): one before each section and
each entry, so that headings, lists and code inside the Markdown texts can
never be mistaken for structure. An entry is::

    <a id="learning-sql-joins"></a>
    ### SQL joins: combining data from several tables

    - **Summary:** Joins combine rows from related tables in one query.
    - **Technologies:** [PostgreSQL](#technology-postgresql), [SQL](#technology-sql)

    The Markdown text (body, learned, description) runs to the next anchor line.

Solutions follow their challenge, each under its own anchor, headed
``#### Accepted solution`` or ``#### Solution``, with no fields. A resource's
Markdown text is its summary.
"""

import re
from typing import NamedTuple

from django.db.models import TextChoices
from markdown_it import MarkdownIt

from hub import kinds
from hub.content.entries import Seed

TECHNOLOGY, LEARNING, CHALLENGE, SOLUTION, PROJECT, RESOURCE = (
    "technology",
    "learning",
    "challenge",
    "solution",
    "project",
    "resource",
)

ANCHOR = re.compile(r'^<a id="([A-Za-z0-9_-]+)"></a>$')


def anchor(id_: str) -> str:
    return f'<a id="{id_}"></a>'


def entry_id(kind: str, key: str) -> str:
    return f"{kind}-{key}"


# Each seeded kind's entries (hub.kinds: Kind.seed), by entry kind.
SEEDS: dict[str, Seed] = {kind.seed.entry: kind.seed for kind in kinds.seeded()}


class Section(NamedTuple):
    id: str
    heading: str
    seed: Seed  # what its entries are
    # (field, value) its entries have, for a kind over several sections (learnings).
    where: tuple[str, str] | None

    def holds(self, obj) -> bool:
        return self.where is None or getattr(obj, self.where[0]) == self.where[1]


SECTIONS = tuple(
    Section(declared.id, declared.heading, seed, declared.where)
    for declared, seed in sorted(
        ((declared, seed) for seed in SEEDS.values() for declared in seed.sections),
        key=lambda pair: pair[0].position,
    )
)
SECTIONS_BY_ID = {section.id: section for section in SECTIONS}

ENTRY_HEADING = "### "
SOLUTION_HEADING = "#### "
ACCEPTED_SOLUTION = "Accepted solution"
OTHER_SOLUTION = "Solution"

FIELD_LINE = re.compile(r"^- \*\*([A-Za-z ]+):\*\*(?: (.*))?$")
LIST_ITEM = re.compile(r"^  - (.*)$")
# An empty list or a missing link or URL is written as this word.
NONE = "none"


def labels(seed: Seed) -> tuple[str, ...]:
    """The labels of an entry's field lines, in the order written."""
    return tuple(seed.field(name).label for name in seed.lines)


def choice_labels(choices: type[TextChoices]) -> dict[str, str]:
    return dict(choices.choices)


def field(label: str, value: str = "") -> str:
    return f"- **{label}:** {value}".rstrip()


def link(text: str, kind: str, key: str) -> str:
    return f"[{text}](#{entry_id(kind, key)})"


def link_pattern(kind: str) -> re.Pattern:
    """A Markdown link to an entry of `kind`; group 1 is the entry's key."""
    return re.compile(rf"\[[^\]\n]*\]\(#{kind}-([A-Za-z0-9_-]+)\)")


def one_line(text: str) -> str:
    """Titles, names, summaries and highlights are written on a single line, without raw HTML."""
    return without_raw_html(" ".join((text or "").split()))


def markdown_text(text: str) -> str:
    """A Markdown text as written: trimmed, without raw HTML, anchor-like lines indented.

    One space of indentation renders the same, and keeps a text that quotes an
    anchor line from cutting its entry short when the document is read back.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    lines = without_raw_html(text).split("\n")
    return "\n".join(f" {line}" if ANCHOR.match(line) else line for line in lines)


# --- No raw HTML from contributors ----------------------------------------------------------
# The document is Markdown that other renderers (GitHub, editors) show with raw HTML on: a
# `<` that could open a tag, comment or processing instruction is written `&lt;`, which every
# renderer shows as `<`. Code keeps its `<` (there `&lt;` would show as typed); autolinks
# stay links. Escaped text has no such `<` left, so writing it again changes nothing and a
# document read back and written again comes out the same.

_DETECTOR = MarkdownIt("commonmark")  # raw HTML on: it must find what other renderers would
_CODE_BLOCKS = {"fence", "code_block"}
_RAW_HTML = {"html_block", "html_inline"}
_OPENER = re.compile(
    r"(?P<autolink><[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>"
    r"|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>)"
    r"|<(?=[A-Za-z/!?])"
)
_BACKTICKS = re.compile(r"`+")


def without_raw_html(text: str) -> str:
    """`text` with no raw HTML left in it, as CommonMark reads it."""
    if "<" not in text:
        return text
    lines = text.split("\n")
    code = _code_block_lines(text)
    escaped = _escape_lines(lines, code, keep_code_spans=True)
    if _has_raw_html(escaped):  # a construct the code-span scan read differently
        escaped = _escape_lines(lines, code, keep_code_spans=False)
    return escaped


def _code_block_lines(text: str) -> set[int]:
    return {
        line
        for token in _DETECTOR.parse(text)
        if token.type in _CODE_BLOCKS and token.map
        for line in range(*token.map)
    }


def _has_raw_html(text: str) -> bool:
    for token in _DETECTOR.parse(text):
        if token.type in _RAW_HTML or any(c.type in _RAW_HTML for c in token.children or ()):
            return True
    return False


def _escape_lines(lines: list[str], code: set[int], *, keep_code_spans: bool) -> str:
    out, prose = [], []
    for n, line in enumerate([*lines, None]):
        if line is None or n in code:
            if prose:  # a code span may run over several lines of one paragraph
                chunk = "\n".join(prose)
                out.append(_escape_prose(chunk) if keep_code_spans else _escape(chunk))
                prose = []
            if line is not None:
                out.append(line)
        else:
            prose.append(line)
    return "\n".join(out)


def _escape_prose(chunk: str) -> str:
    """Escape outside code spans: a run of n backticks up to the next run of exactly n."""
    parts, start, position = [], 0, 0
    while (run := _BACKTICKS.search(chunk, position)) is not None:
        width = len(run.group())
        closing = run.end()
        while (close := _BACKTICKS.search(chunk, closing)) and len(close.group()) != width:
            closing = close.end()
        if close is None:
            position = run.end()  # no closing run: the backticks are text
            continue
        parts += [_escape(chunk[start : run.start()]), chunk[run.start() : close.end()]]
        start = position = close.end()
    parts.append(_escape(chunk[start:]))
    return "".join(parts)


def _escape(prose: str) -> str:
    return _OPENER.sub(lambda m: m.group("autolink") or "&lt;", prose)
