"""The published hub as one README-style Markdown document.

Written by ``manage.py export_hub`` and the ``hubDocument`` query, read back by
``manage.py load_hub --from`` (markdown_reader.py); the format is described in
document.py. Only what anyone may see is written: every technology and project,
published learnings, challenges and resources, and the published solutions of
those challenges. Entries come in the order they were added to the hub, so a document
loaded into an empty database is written out again unchanged.
"""

from django.contrib.auth.models import AnonymousUser

from hub.content import document as doc
from hub.folding import fold_text
from hub.models import Challenge, Learning, Project, Resource, Technology
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


def render_hub_markdown() -> str:
    """The whole published hub as one Markdown document."""
    public = AnonymousUser()
    # What the document shows, so the lists come in a fixed number of queries, the
    # Markdown sources loaded and their HTML twins left out.
    technologies = _chronological(visible_queryset(Technology, public, {"learned": {}}))
    learnings = _chronological(visible_queryset(Learning, public, {"body": {}, "technologies": {}}))
    projects = _chronological(
        visible_queryset(Project, public, {"description": {}, "technologies": {}})
    )
    challenges = _chronological(
        visible_queryset(
            Challenge,
            public,
            {"description": {}, "project": {}, "technologies": {}, "solutions": {"body": {}}},
        )
    )
    resources = _chronological(
        visible_queryset(Resource, public, {"summary": {}, "technologies": {}})
    )
    writer = _Writer()
    writer.preamble(
        {
            "technologies": len(technologies),
            "learnings": len(learnings),
            "challenges": len(challenges),
            "projects": len(projects),
            "resources": len(resources),
        }
    )
    entries = {
        doc.TECHNOLOGY: (technologies, writer.technology),
        doc.LEARNING: (learnings, writer.learning),
        doc.CHALLENGE: (challenges, writer.challenge),
        doc.PROJECT: (projects, writer.project),
        doc.RESOURCE: (resources, writer.resource),
    }
    for section in doc.SECTIONS:
        writer.section(section)
        objects, write = entries[section.entry_kind]
        for obj in objects:
            # Learnings are spread over one section per LearningKind.
            if section.learning_kind is None or obj.kind == section.learning_kind:
                write(obj)
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

    def entry(self, kind: str, key: str, title: str, fields: list[str], text: str) -> None:
        self.blocks.append(
            f"{doc.anchor(doc.entry_id(kind, key))}\n{doc.ENTRY_HEADING}{doc.one_line(title)}"
        )
        self.blocks.append("\n".join(fields))
        text = doc.markdown_text(text)
        if text:
            self.blocks.append(text)

    @staticmethod
    def technologies(objects) -> str:
        links = [
            doc.link(doc.one_line(t.name), doc.TECHNOLOGY, t.slug)
            for t in sorted(objects, key=lambda t: (fold_text(t.name), t.slug))
        ]
        return ", ".join(links) or doc.NONE

    def technology(self, technology: Technology) -> None:
        category = doc.CATEGORY_LABELS.get(technology.category, technology.category)
        fields = [
            doc.field("Category", category),
            doc.field("Summary", doc.one_line(technology.summary)),
        ]
        self.entry(doc.TECHNOLOGY, technology.slug, technology.name, fields, technology.learned)

    def learning(self, learning: Learning) -> None:
        fields = [
            doc.field("Summary", doc.one_line(learning.summary)),
            doc.field("Technologies", self.technologies(learning.technologies.all())),
        ]
        self.entry(doc.LEARNING, learning.slug, learning.title, fields, learning.body)

    def challenge(self, challenge: Challenge) -> None:
        project = challenge.project
        fields = [
            doc.field(
                "Project",
                doc.link(doc.one_line(project.title), doc.PROJECT, project.slug)
                if project
                else doc.NONE,
            ),
            doc.field("Technologies", self.technologies(challenge.technologies.all())),
        ]
        self.entry(doc.CHALLENGE, challenge.slug, challenge.title, fields, challenge.description)
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

    def project(self, project: Project) -> None:
        highlights = [doc.one_line(str(h)) for h in project.highlights or []]
        highlights = [h for h in highlights if h]
        fields = [
            doc.field("Summary", doc.one_line(project.summary)),
            doc.field("Technologies", self.technologies(project.technologies.all())),
            doc.field("Repository", doc.one_line(project.repository_url) or doc.NONE),
            doc.field("Highlights", "" if highlights else doc.NONE),
            *(f"  - {h}" for h in highlights),
        ]
        self.entry(doc.PROJECT, project.slug, project.title, fields, project.description)

    def resource(self, resource: Resource) -> None:
        kind = doc.RESOURCE_KIND_LABELS.get(resource.kind, resource.kind)
        fields = [
            doc.field("Kind", kind),
            doc.field("URL", doc.one_line(resource.url)),
            doc.field("Technologies", self.technologies(resource.technologies.all())),
        ]
        self.entry(doc.RESOURCE, resource.slug, resource.title, fields, resource.summary)
