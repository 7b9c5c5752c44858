"""How a kind of content is written in the seed data and in the hub document.

A kind's `Kind.seed` (hub/kinds.py) declares its entries once: the YAML file, the field
shown as the heading, the Markdown text after the field lines, and every other field
with its type and its line in the document. The YAML loader (loader.py), the document's
writer (export.py) and its reader (markdown_reader.py) all work from these
declarations; what is particular to one kind stays a named rule in the loader (a
challenge's solutions, one resource per page).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.db.models import TextChoices

# Field types: how a value is checked in YAML, written on its line and read back.
TEXT = "text"  # one line of plain text (max length from the model)
SLUG = "slug"  # the entry's key, in its anchor
MARKDOWN = "markdown"  # the entry's Markdown text, after its field lines
CHOICE = "choice"  # one of `choices`, written by its label
URL = "url"  # a URL, or `none` when there is none
STRINGS = "strings"  # a list of short texts, written as items under the line
LINKS = "links"  # slugs of `target` entries, written as links to them
LINK = "link"  # one slug of a `target` entry or null, written as a link or `none`


@dataclass(frozen=True)
class SeedField:
    name: str  # the YAML key and the model field (or relation, for links)
    type: str = TEXT
    # The line's label in the hub document; None: not written on a line (a learning's kind
    # is given by its section).
    label: str | None = None
    # The key may be left out (and the value empty).
    optional: bool = False
    # The key is required but its value may be empty.
    blank: bool = False
    choices: type[TextChoices] | None = None
    target: str | None = None  # LINKS and LINK: the entry kind linked to

    @property
    def is_relation(self) -> bool:
        return self.type in (LINKS, LINK)


@dataclass(frozen=True)
class Section:
    """A section of the hub document, holding entries of one kind (of one value of a
    field, for kinds spread over several sections: learnings by their kind)."""

    id: str
    heading: str
    position: int  # where it comes in the document, among every kind's sections
    where: tuple[str, str] | None = None  # (field, value) of its entries


@dataclass(frozen=True)
class Seed:
    entry: str  # the entry kind: anchors are <entry>-<slug>, links #<entry>-<slug>
    file: str  # in hub/content/data
    title: str  # the field shown as the entry's heading
    # Every field, in the YAML file's order (the order problems are reported in); one is
    # the SLUG, one the MARKDOWN text.
    fields: tuple[SeedField, ...]
    # The fields' lines in the document, in order (their names).
    lines: tuple[str, ...]
    sections: tuple[Section, ...]
    unique: tuple[str, ...] = ("slug",)
    # YAML keys read by a rule of the loader, not by a field (a challenge's solutions).
    nested: tuple[str, ...] = ()

    @property
    def plural(self) -> str:
        """How the preamble counts its entries: the file's name ("technologies")."""
        return PurePath(self.file).stem

    def field(self, name: str) -> SeedField:
        return next(f for f in self.fields if f.name == name)

    @property
    def text(self) -> str:
        return next(f.name for f in self.fields if f.type == MARKDOWN)

    @property
    def scalars(self) -> tuple[str, ...]:
        """The model fields copied as they are from an entry."""
        return tuple(f.name for f in self.fields if not f.is_relation)

    @property
    def relations(self) -> tuple[SeedField, ...]:
        return tuple(f for f in self.fields if f.is_relation)
