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
``#### Accepted solution`` or ``#### Solution``, with no fields.
"""

import re
from typing import NamedTuple

from hub.models import LearningKind, TechnologyCategory

TECHNOLOGY, LEARNING, CHALLENGE, SOLUTION, PROJECT = (
    "technology",
    "learning",
    "challenge",
    "solution",
    "project",
)

ANCHOR = re.compile(r'^<a id="([A-Za-z0-9_-]+)"></a>$')


def anchor(id_: str) -> str:
    return f'<a id="{id_}"></a>'


def entry_id(kind: str, key: str) -> str:
    return f"{kind}-{key}"


class Section(NamedTuple):
    id: str
    heading: str
    # The kind of the entries it holds, and for learnings their LearningKind.
    entry_kind: str
    learning_kind: str | None = None


SECTIONS = (
    Section("technologies", "Technologies", TECHNOLOGY),
    Section("concepts", "Concepts", LEARNING, LearningKind.CONCEPT),
    Section("challenges", "Challenges", CHALLENGE),
    Section("best-practices", "Best practices", LEARNING, LearningKind.BEST_PRACTICE),
    Section("takeaways", "Takeaways", LEARNING, LearningKind.TAKEAWAY),
    Section("collaboration", "Collaboration", LEARNING, LearningKind.COLLABORATION),
    Section("projects", "Projects", PROJECT),
)
SECTIONS_BY_ID = {section.id: section for section in SECTIONS}

ENTRY_HEADING = "### "
SOLUTION_HEADING = "#### "
ACCEPTED_SOLUTION = "Accepted solution"
OTHER_SOLUTION = "Solution"

# Field labels as written, per entry kind, in the order written.
FIELDS = {
    TECHNOLOGY: ("Category", "Summary"),
    LEARNING: ("Summary", "Technologies"),
    CHALLENGE: ("Project", "Technologies"),
    PROJECT: ("Summary", "Technologies", "Repository", "Highlights"),
}
FIELD_LINE = re.compile(r"^- \*\*([A-Za-z ]+):\*\*(?: (.*))?$")
LIST_ITEM = re.compile(r"^  - (.*)$")
# An empty list or a missing link or URL is written as this word.
NONE = "none"

CATEGORY_LABELS = {value: label for value, label in TechnologyCategory.choices}


def field(label: str, value: str = "") -> str:
    return f"- **{label}:** {value}".rstrip()


def link(text: str, kind: str, key: str) -> str:
    return f"[{text}](#{entry_id(kind, key)})"


def link_pattern(kind: str) -> re.Pattern:
    """A Markdown link to an entry of `kind`; group 1 is the entry's key."""
    return re.compile(rf"\[[^\]\n]*\]\(#{kind}-([A-Za-z0-9_-]+)\)")


def one_line(text: str) -> str:
    """Titles, names, summaries and highlights are written on a single line."""
    return " ".join((text or "").split())


def markdown_text(text: str) -> str:
    """A Markdown text as written: trimmed, with anchor-like lines indented one space.

    One space of indentation renders the same, and keeps a text that quotes an
    anchor line from cutting its entry short when the document is read back.
    """
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(f" {line}" if ANCHOR.match(line) else line for line in lines)
