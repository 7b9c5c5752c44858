"""Reads a hub document (export_hub's Markdown, see document.py) back into seed data.

The entries come out as the YAML files' entries do, and go through the same
validation (loader.validate_seed_rows), so ``load_hub --from hub.md`` loads
them with the loader's rules: idempotent, never overwriting an edit.
Problems of layout are reported with their line numbers, all at once.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.content import document as doc
from hub.content.entries import CHOICE, LINK, LINKS, MARKDOWN, SLUG, STRINGS, URL, Seed
from hub.content.loader import LoadReport, SeedData, load_seed_data, validate_seed_rows

_KINDS = (*doc.SEEDS, doc.SOLUTION)


@dataclass
class _Block:
    """The lines from one anchor line to the next."""

    line: int  # of the anchor, 1-based
    id: str
    lines: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = doc.ANCHOR.match(line)
        if match:
            blocks.append(_Block(number, match.group(1)))
        elif blocks:
            blocks[-1].lines.append(line)
    # Everything before the first anchor is the document's preamble: not content.
    return blocks


def _kind_of(id_: str) -> tuple[str, str] | None:
    for kind in _KINDS:
        prefix = f"{kind}-"
        if id_.startswith(prefix) and len(id_) > len(prefix):
            return kind, id_[len(prefix) :]
    return None


class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.errors: list[str] = []
        self.rows: dict[str, list[dict[str, Any]]] = {entry: [] for entry in doc.SEEDS}
        self.section: doc.Section | None = None
        self.challenge: dict[str, Any] | None = None

    def problem(self, line: int, message: str) -> None:
        self.errors.append(f"{self.name}, line {line}: {message}")

    def read(self, text: str) -> None:
        blocks = _blocks(text.replace("\r\n", "\n").replace("\r", "\n"))
        if not blocks:
            self.problem(1, 'no <a id="..."></a> anchor lines: this is not a hub document')
        for block in blocks:
            section = doc.SECTIONS_BY_ID.get(block.id)
            if section is not None:
                self.read_section(block, section)
                continue
            kind_key = _kind_of(block.id)
            if kind_key is None:
                known = ", ".join(f"{kind}-<slug>" for kind in _KINDS)
                sections = ", ".join(doc.SECTIONS_BY_ID)
                self.problem(
                    block.line, f"unknown anchor {block.id!r} (expected {sections} or {known})"
                )
                continue
            self.read_entry(block, *kind_key)

    # -- sections

    def read_section(self, block: _Block, section: doc.Section) -> None:
        self.section, self.challenge = section, None
        heading, rest = self.heading(block, "## ")
        if heading is not None and heading != section.heading:
            self.problem(block.line + 1, f"expected the heading '## {section.heading}'")
        for offset, line in rest:
            if line.strip():
                self.problem(
                    block.line + offset,
                    "text between a section heading and its first entry is not read: "
                    "put it in an entry or remove it",
                )
                break

    def heading(self, block: _Block, marker: str) -> tuple[str | None, list[tuple[int, str]]]:
        """The heading line right after the anchor, and the numbered lines after it."""
        numbered = list(enumerate(block.lines, start=1))
        if not numbered or not numbered[0][1].startswith(marker):
            self.problem(block.line + 1, f"expected a heading ('{marker}...') after the anchor")
            return None, numbered
        return numbered[0][1][len(marker) :].strip(), numbered[1:]

    # -- entries

    def read_entry(self, block: _Block, kind: str, key: str) -> None:
        section = self.section
        if kind == doc.SOLUTION:
            self.read_solution(block)
            return
        if section is None or section.seed.entry != kind:
            where = f"the {section.heading} section" if section else "the preamble"
            self.problem(block.line, f"a {kind} entry cannot be in {where}")
            return
        title, rest = self.heading(block, doc.ENTRY_HEADING)
        if title is None:
            return
        seed = section.seed
        fields, text = self.split_fields(block, seed, rest)
        if fields is None:
            return
        values = _Fields(self, block, fields)
        row = {f.name: self.value(block, section, values, f) for f in seed.fields}
        row.update({seed.title: title, "slug": key, seed.text: text})
        if kind == doc.CHALLENGE:
            row["solutions"] = []
            self.challenge = row
        self.rows[kind].append(row)

    def value(self, block: _Block, section: doc.Section, values: "_Fields", field):
        """One field's value, read from its line (the section's, for a field it gives)."""
        if section.where is not None and section.where[0] == field.name:
            return section.where[1]
        if field.label is None or field.type in (SLUG, MARKDOWN):
            return None  # the heading, the anchor or the text: set by the caller
        if field.type == CHOICE:
            return self.choice(block, values, field.label, doc.choice_labels(field.choices))
        if field.type == URL:
            url = values.text(field.label)
            return "" if url == doc.NONE else url
        if field.type == STRINGS:
            return values.items(field.label)
        if field.type == LINKS:
            return values.links(field.label, field.target)
        if field.type == LINK:
            links = values.links(field.label, field.target)
            if len(links) > 1:
                self.problem(block.line, f"{field.label} links to more than one {field.target}")
            return links[0] if links else None
        return values.text(field.label)

    def read_solution(self, block: _Block) -> None:
        if self.challenge is None:
            self.problem(block.line, "a solution must follow its challenge")
            return
        heading, rest = self.heading(block, doc.SOLUTION_HEADING)
        if heading is None:
            return
        if heading not in (doc.ACCEPTED_SOLUTION, doc.OTHER_SOLUTION):
            self.problem(
                block.line + 1,
                f"a solution is headed '{doc.SOLUTION_HEADING}{doc.ACCEPTED_SOLUTION}' or "
                f"'{doc.SOLUTION_HEADING}{doc.OTHER_SOLUTION}'",
            )
            return
        body = "\n".join(line for _, line in rest).strip("\n")
        self.challenge["solutions"].append(
            {"body": body, "accepted": heading == doc.ACCEPTED_SOLUTION}
        )

    def split_fields(self, block: _Block, seed: Seed, rest: list[tuple[int, str]]):
        """The entry's field list (its first paragraph) and the Markdown text after it."""
        kind = seed.entry
        allowed = doc.labels(seed)
        position = 0
        while position < len(rest) and not rest[position][1].strip():
            position += 1
        fields: dict[str, str | list[str]] = {}
        label = None
        while position < len(rest) and rest[position][1].strip():
            offset, line = rest[position]
            match = doc.FIELD_LINE.match(line)
            item = doc.LIST_ITEM.match(line)
            if match and match.group(1) in allowed and match.group(1) not in fields:
                label = match.group(1)
                fields[label] = (match.group(2) or "").strip()
            elif item and label is not None and fields[label] == "":
                fields[label] = [item.group(1).strip()]
            elif item and label is not None and isinstance(fields[label], list):
                fields[label].append(item.group(1).strip())
            else:
                labels = ", ".join(f"- **{name}:**" for name in allowed)
                self.problem(
                    block.line + offset,
                    f"expected the {kind}'s fields ({labels}), each once, then a blank line",
                )
                return None, ""
            position += 1
        if not fields:
            self.problem(block.line + 1, f"the {kind} has no fields after its heading")
            return None, ""
        return fields, "\n".join(line for _, line in rest[position:]).strip("\n")

    def choice(self, block: _Block, values: "_Fields", label: str, labels: dict[str, str]) -> str:
        """A Category or Kind field: its label as written (or its stored value), any case."""
        value = values.text(label)
        for choice, choice_label in labels.items():
            if value.casefold() in (choice.casefold(), choice_label.casefold()):
                return choice
        self.problem(block.line, f"{label} {value!r} is not one of {', '.join(labels.values())}")
        return ""


class _Fields:
    """An entry's fields, read as text, a list of items, or links to other entries."""

    def __init__(self, reader: _Reader, block: _Block, fields: dict[str, str | list[str]]):
        self.reader, self.block, self.fields = reader, block, fields

    def problem(self, message: str) -> None:
        self.reader.problem(self.block.line, message)

    def text(self, label: str) -> str:
        value = self.fields.get(label, "")
        if isinstance(value, list):
            self.problem(f"{label} is a single line, not a list")
            return ""
        return value

    def items(self, label: str) -> list[str]:
        value = self.fields.get(label, doc.NONE)
        if value in (doc.NONE, ""):
            return []
        if not isinstance(value, list):
            self.problem(f"{label} must be a list of '  - ' items under it, or {doc.NONE}")
            return []
        return value

    def links(self, label: str, kind: str) -> list[str]:
        value = self.fields.get(label, doc.NONE)
        if value in (doc.NONE, ""):
            return []
        pattern = doc.link_pattern(kind)
        if not isinstance(value, str) or pattern.sub("", value).replace(",", "").strip():
            self.problem(
                f"{label} must be links like [Name](#{kind}-<slug>), separated by commas, "
                f"or {doc.NONE}"
            )
            return []
        return pattern.findall(value)


def parse_hub_document(text: str, name: str = "hub document") -> dict[str, list[dict[str, Any]]]:
    """The raw entries of a hub document per kind; ValueError listing every layout problem."""
    reader = _Reader(name)
    reader.read(text)
    if reader.errors:
        listing = "\n".join(f"  - {error}" for error in reader.errors)
        raise ValueError(f"Invalid hub document {name}:\n{listing}")
    return reader.rows


def read_hub_document(path: Path | str) -> SeedData:
    """Read and validate a hub document; raise ValueError listing all problems."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"No hub document at {path}.") from None
    except UnicodeDecodeError:
        raise ValueError(f"The hub document {path} is not UTF-8 text.") from None
    rows = parse_hub_document(text, path.name)
    # Where each kind's entries are: its section, or the kind where it has several.
    sources = {}
    for entry, seed in doc.SEEDS.items():
        where = seed.plural if len(seed.sections) > 1 else seed.sections[0].heading
        sources[entry] = f"{path.name} ({where})"
    return validate_seed_rows(rows, sources, origin=str(path))


def load_hub_document(path: Path | str) -> LoadReport:
    """Load a hub document with the loader's rules (see hub.content.loader)."""
    return load_seed_data(read_hub_document(path))
