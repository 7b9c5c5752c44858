"""The published hub as one README-style Markdown document.

Written by ``manage.py export_hub`` and the ``hubDocument`` query, read back by
``manage.py load_hub --from`` (markdown_reader.py); the format is described in
document.py. Only what anyone may see is written: every technology and project,
published learnings, challenges and resources, and the published solutions of
those challenges. Entries come in the order they were added to the hub, so a document
loaded into an empty database is written out again unchanged.
"""

from django.contrib.auth.models import AnonymousUser

from hub import kinds
from hub.content import document as doc
from hub.content.entries import CHOICE, LINK, LINKS, STRINGS, URL, Seed
from hub.folding import fold_text
from hub.selectors import visible_queryset

TITLE = "ProDev Backend knowledge hub"
INTRO = (
    "What the ProDev Backend Engineering program taught: the technologies and what was "
    "learned about each, the concepts, the challenges met with their solutions, the best "
    "practices, takeaways and ways of collaborating, the projects built, and the resources "
    "to learn from: the official documentation of each technology and more."
)
ABOUT = (
    "Written by `python manage.py export_hub` (or the `hubDocument` GraphQL query) and read "
    "back by `python manage.py load_hub --from <file>`. The `<a id>` lines mark where each "
    "entry starts: keep them when editing."
)


def _chronological(queryset) -> list:
    return sorted(queryset, key=lambda obj: (obj.created_at, obj.pk))


def _shown(seed: Seed) -> dict:
    """What the document shows of a kind, so each list comes in a fixed number of
    queries, the Markdown source loaded and its HTML twin left out."""
    selection = {seed.text: {}, **{f.name: {} for f in seed.relations}}
    if seed.entry == doc.CHALLENGE:
        selection["solutions"] = {"body": {}}  # written after their challenge
    return selection


def render_hub_markdown() -> str:
    """The whole published hub as one Markdown document."""
    public = AnonymousUser()
    objects = {
        kind.seed.entry: _chronological(visible_queryset(kind.model, public, _shown(kind.seed)))
        for kind in kinds.seeded()
    }
    writer = _Writer()
    seeds = list(dict.fromkeys(section.seed for section in doc.SECTIONS))  # in document order
    writer.preamble({seed.plural: len(objects[seed.entry]) for seed in seeds})
    for section in doc.SECTIONS:
        writer.section(section)
        for obj in objects[section.seed.entry]:
            if section.holds(obj):
                writer.entry(section.seed, obj)
    return writer.text()


class _Writer:
    def __init__(self):
        self.blocks: list[str] = []

    def text(self) -> str:
        return "\n\n".join(self.blocks) + "\n"

    def preamble(self, counts: dict[str, int]) -> None:
        contents = " · ".join(f"[{s.heading}](#{s.id})" for s in doc.SECTIONS)
        totals = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.blocks += [f"# {TITLE}", INTRO, f"In this document: {totals}.", contents, ABOUT]

    def section(self, section: doc.Section) -> None:
        self.blocks.append(f"{doc.anchor(section.id)}\n## {section.heading}")

    def entry(self, seed: Seed, obj) -> None:
        title = getattr(obj, seed.title)
        self.blocks.append(
            f"{doc.anchor(doc.entry_id(seed.entry, obj.slug))}\n"
            f"{doc.ENTRY_HEADING}{doc.one_line(title)}"
        )
        self.blocks.append(
            "\n".join(line for name in seed.lines for line in self.lines(seed, obj, name))
        )
        text = doc.markdown_text(getattr(obj, seed.text))
        if text:
            self.blocks.append(text)
        if seed.entry == doc.CHALLENGE:
            self.solutions(obj)

    def lines(self, seed: Seed, obj, name: str) -> list[str]:
        """The line (and list items) of one field."""
        field = seed.field(name)
        value = getattr(obj, name)
        if field.type == CHOICE:
            return [doc.field(field.label, doc.choice_labels(field.choices).get(value, value))]
        if field.type == URL:
            return [doc.field(field.label, doc.one_line(value) or doc.NONE)]
        if field.type == STRINGS:
            items = [item for item in (doc.one_line(str(v)) for v in value or []) if item]
            return [doc.field(field.label, "" if items else doc.NONE), *(f"  - {i}" for i in items)]
        if field.type == LINKS:
            return [doc.field(field.label, self.links(field.target, value.all()))]
        if field.type == LINK:
            return [doc.field(field.label, self.links(field.target, [value] if value else []))]
        return [doc.field(field.label, doc.one_line(value))]

    @staticmethod
    def links(entry: str, objects) -> str:
        """Links to entries of `entry`, by their heading (case-insensitive), or `none`."""
        title = doc.SEEDS[entry].title
        links = [
            doc.link(doc.one_line(getattr(o, title)), entry, o.slug)
            for o in sorted(objects, key=lambda o: (fold_text(getattr(o, title)), o.slug))
        ]
        return ", ".join(links) or doc.NONE

    def solutions(self, challenge) -> None:
        """A challenge's published solutions, the accepted one first, then by score."""
        solutions = sorted(
            challenge.solutions.all(),
            key=lambda s: (not s.is_accepted, -s.score, s.created_at, s.pk),
        )
        for n, solution in enumerate(solutions, start=1):
            heading = doc.ACCEPTED_SOLUTION if solution.is_accepted else doc.OTHER_SOLUTION
            self.blocks.append(
                f"{doc.anchor(doc.entry_id(doc.SOLUTION, f'{challenge.slug}-{n}'))}\n"
                f"{doc.SOLUTION_HEADING}{heading}"
            )
            body = doc.markdown_text(solution.body)
            if body:
                self.blocks.append(body)
