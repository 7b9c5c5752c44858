"""Every kind of hub content, described once; everything that needs a kind reads it here.

A `Kind` says what the rest of hub/ used to restate in a table of its own: the public
type name, the relations the prefetch planner may load (model-side names), its long
text columns and computed columns, the orderings and the FilterSet of its lists,
whether it is moderated, revised (which fields) and searchable (its search document),
which content holds it (visibility), and where it lives in the hub document.

hub/ speaks model names only: GraphQL fields that exist only in the API map to model-side
names, or to a `View` of a relation, by hints declared next to the GraphQL types (schema/).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Model, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from hub.content.entries import (
    CHOICE,
    LINK,
    LINKS,
    MARKDOWN,
    SLUG,
    STRINGS,
    URL,
    Section,
    Seed,
    SeedField,
)
from hub.models import (
    Challenge,
    Comment,
    ContentStatus,
    Contributor,
    Flag,
    Learning,
    LearningKind,
    Project,
    Resource,
    ResourceKind,
    Revision,
    Solution,
    Technology,
    TechnologyCategory,
    Vote,
)


@dataclass(frozen=True)
class Relation:
    """A relation the prefetch planner loads: its target and how."""

    target: type[Model]
    many: bool
    to_attr: str | None = None
    # Self-nested fields (comment replies, a reply's parent) whose rows come with
    # this relation: their selections, at any depth, are folded into this one.
    folds: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    """Some of a relation's rows, as a field of the API shows them (a challenge's accepted
    solution): declared next to that field, the way optimizer hints are, and used as a
    selection key. The planner loads the visible rows of `relation` matching `where` into
    the attribute `name`; visibility is still the relation's own."""

    relation: str
    where: Q
    name: str


@dataclass(frozen=True)
class Annotation:
    """A computed column: its expression, and the relation it is computed from (a write
    there changes it, for the response cache)."""

    expression: Callable
    reads: str


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    type_name: str
    relations: Mapping[str, Relation] = field(default_factory=dict)
    # Long text columns, loaded only when selected.
    long_text: tuple[str, ...] = ()
    # Computed columns by name, added when selected or ordered by.
    annotations: Mapping[str, Annotation] = field(default_factory=dict)
    # To-one relations every row needs (Contributor.username lives on the user).
    always_joined: tuple[str, ...] = ()
    # Model properties that show one column through a relation, by that column's path:
    # what a read of plain rows (hub.selectors.rows) asks for instead.
    property_columns: Mapping[str, str] = field(default_factory=dict)
    # orderBy value -> ORDER BY; every ordering ends in the primary key (stable pages).
    orderings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_order: str | None = None
    # The django-filter set of its lists, by name in hub.selectors.filters.
    filterset: str | None = None
    # Published / pending / hidden, decided by moderators; flaggable by contributors.
    moderated: bool = False
    # (title field or None, body field): the text a revision keeps.
    revised_fields: tuple[str | None, str] | None = None
    # The search document of one object: {title, summary, text, is_published}.
    search_document: Callable[[Model], dict] | None = None
    # Relations whose rows' documents change with this row (a challenge's solutions).
    reindexes: tuple[str, ...] = ()
    # Relations to the content holding a row: visible only while that content is.
    containers: tuple[str, ...] = ()
    # A row seen by one contributor only, named by this relation (a vote, by its voter).
    private_to: str | None = None
    # Its entries in the seed data and the hub document (hub.content.entries).
    seed: Seed | None = None

    @property
    def searchable(self) -> bool:
        return self.search_document is not None


def _published_solution_count() -> Coalesce:
    counts = (
        Solution.objects.filter(challenge=OuterRef("pk"), status=ContentStatus.PUBLISHED)
        .order_by()
        .values("challenge")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


# A thread (a challenge's or solution's comments) loads all its comments at once:
# replies and parents are found among them.
THREAD = ("replies", "parent")
_CREATED = {"NEWEST": ("-created_at", "-id"), "OLDEST": ("created_at", "id")}


def _published(obj) -> bool:
    return obj.status == ContentStatus.PUBLISHED


KINDS: tuple[Kind, ...] = (
    Kind(
        Technology,
        "Technology",
        relations={
            "learnings": Relation(Learning, many=True),
            "projects": Relation(Project, many=True),
            "challenges": Relation(Challenge, many=True),
            "resources": Relation(Resource, many=True),
        },
        long_text=("learned", "learned_html"),
        orderings={"NAME": ("name", "id"), "TITLE": ("name", "id"), **_CREATED},
        default_order="NAME",
        filterset="TechnologyFilter",
        search_document=lambda obj: {
            "title": obj.name,
            "summary": obj.summary,
            "text": f"{obj.get_category_display()}\n{obj.learned}",
            "is_published": True,
        },
        seed=Seed(
            entry="technology",
            file="technologies.yaml",
            title="name",
            fields=(
                SeedField("name"),
                SeedField("slug", SLUG),
                SeedField("category", CHOICE, "Category", choices=TechnologyCategory),
                SeedField("summary", label="Summary"),
                SeedField("learned", MARKDOWN),
            ),
            lines=("category", "summary"),
            sections=(Section("technologies", "Technologies", 10),),
            unique=("slug", "name"),
        ),
    ),
    Kind(
        Learning,
        "Learning",
        relations={
            "technologies": Relation(Technology, many=True),
            "author": Relation(Contributor, many=False),
            "revisions": Relation(Revision, many=True),
        },
        long_text=("body", "body_html"),
        orderings={**_CREATED, "TITLE": ("title", "id")},
        default_order="NEWEST",
        filterset="LearningFilter",
        moderated=True,
        revised_fields=("title", "body"),
        search_document=lambda obj: {
            "title": obj.title,
            "summary": obj.summary,
            "text": obj.body,
            "is_published": _published(obj),
        },
        seed=Seed(
            entry="learning",
            file="learnings.yaml",
            title="title",
            fields=(
                SeedField("title"),
                SeedField("slug", SLUG),
                SeedField("kind", CHOICE, choices=LearningKind),
                # Optional, as for learnings submitted in the hub.
                SeedField("summary", label="Summary", blank=True),
                SeedField("body", MARKDOWN),
                SeedField("technologies", LINKS, "Technologies", target="technology"),
            ),
            lines=("summary", "technologies"),
            sections=(
                Section("concepts", "Concepts", 20, ("kind", LearningKind.CONCEPT)),
                Section(
                    "best-practices", "Best practices", 40, ("kind", LearningKind.BEST_PRACTICE)
                ),
                Section("takeaways", "Takeaways", 50, ("kind", LearningKind.TAKEAWAY)),
                Section("collaboration", "Collaboration", 60, ("kind", LearningKind.COLLABORATION)),
            ),
        ),
    ),
    Kind(
        Project,
        "Project",
        relations={
            "technologies": Relation(Technology, many=True),
            "challenges": Relation(Challenge, many=True),
        },
        long_text=("description", "description_html"),
        orderings={**_CREATED, "TITLE": ("title", "id")},
        default_order="TITLE",
        filterset="ProjectFilter",
        search_document=lambda obj: {
            "title": obj.title,
            "summary": obj.summary,
            "text": "\n".join([obj.description, *obj.highlights]),
            "is_published": True,
        },
        seed=Seed(
            entry="project",
            file="projects.yaml",
            title="title",
            fields=(
                SeedField("title"),
                SeedField("slug", SLUG),
                SeedField("summary", label="Summary"),
                SeedField("description", MARKDOWN),
                SeedField("highlights", STRINGS, "Highlights"),
                SeedField("repository_url", URL, "Repository", optional=True),
                SeedField("technologies", LINKS, "Technologies", target="technology"),
            ),
            lines=("summary", "technologies", "repository_url", "highlights"),
            sections=(Section("projects", "Projects", 70),),
            unique=("slug", "title"),
        ),
    ),
    Kind(
        Challenge,
        "Challenge",
        relations={
            "project": Relation(Project, many=False),
            "author": Relation(Contributor, many=False),
            "technologies": Relation(Technology, many=True),
            "solutions": Relation(Solution, many=True),
            "comments": Relation(Comment, many=True, to_attr="thread_comments", folds=THREAD),
            "revisions": Relation(Revision, many=True),
        },
        long_text=("description", "description_html"),
        annotations={
            "published_solution_count": Annotation(_published_solution_count, reads="solutions")
        },
        orderings={
            **_CREATED,
            "TITLE": ("title", "id"),
            "MOST_SOLUTIONS": ("-published_solution_count", "-created_at", "-id"),
        },
        default_order="NEWEST",
        filterset="ChallengeFilter",
        moderated=True,
        revised_fields=("title", "description"),
        search_document=lambda obj: {
            "title": obj.title,
            "summary": "",
            "text": obj.description,
            "is_published": _published(obj),
        },
        reindexes=("solutions",),  # a solution is public only while its challenge is
        seed=Seed(
            entry="challenge",
            file="challenges.yaml",
            title="title",
            fields=(
                SeedField("title"),
                SeedField("slug", SLUG),
                SeedField("description", MARKDOWN),
                SeedField("project", LINK, "Project", optional=True, target="project"),
                SeedField("technologies", LINKS, "Technologies", target="technology"),
            ),
            lines=("project", "technologies"),
            sections=(Section("challenges", "Challenges", 30),),
            nested=("solutions",),
        ),
    ),
    Kind(
        Solution,
        "Solution",
        relations={
            "challenge": Relation(Challenge, many=False),
            "author": Relation(Contributor, many=False),
            "comments": Relation(Comment, many=True, to_attr="thread_comments", folds=THREAD),
            "revisions": Relation(Revision, many=True),
            "votes": Relation(Vote, many=True),
        },
        long_text=("body", "body_html"),
        moderated=True,
        revised_fields=(None, "body"),
        search_document=lambda obj: {
            "title": obj.challenge.title,
            "summary": "",
            "text": obj.body,
            "is_published": _published(obj) and _published(obj.challenge),
        },
        containers=("challenge",),
    ),
    Kind(
        Comment,
        "Comment",
        relations={
            "author": Relation(Contributor, many=False),
            "parent": Relation(Comment, many=False, to_attr="visible_parent"),
            "replies": Relation(Comment, many=True, to_attr="thread_replies"),
        },
        long_text=("body", "body_html"),
        moderated=True,
        # A comment has exactly one target: its challenge or its solution.
        containers=("challenge", "solution"),
    ),
    Kind(
        Resource,
        "Resource",
        relations={
            "technologies": Relation(Technology, many=True),
            "author": Relation(Contributor, many=False),
            "revisions": Relation(Revision, many=True),
        },
        long_text=("summary", "summary_html"),
        orderings={**_CREATED, "TITLE": ("title", "id")},
        default_order="TITLE",
        filterset="ResourceFilter",
        moderated=True,
        revised_fields=("title", "summary"),
        search_document=lambda obj: {
            "title": obj.title,
            "summary": obj.get_kind_display(),
            "text": f"{obj.summary}\n{obj.url}",
            "is_published": _published(obj),
        },
        seed=Seed(
            entry="resource",
            file="resources.yaml",
            title="title",
            fields=(
                SeedField("url", URL, "URL"),
                SeedField("title"),
                SeedField("slug", SLUG),
                SeedField("kind", CHOICE, "Kind", choices=ResourceKind),
                SeedField("summary", MARKDOWN),
                SeedField("technologies", LINKS, "Technologies", target="technology"),
            ),
            lines=("kind", "url", "technologies"),
            sections=(Section("resources", "Resources", 80),),
        ),
    ),
    # Individual votes are private: only the score is public.
    Kind(Vote, "Vote", private_to="voter"),
    Kind(Revision, "Revision", relations={"editor": Relation(Contributor, many=False)}),
    Kind(Flag, "Flag", relations={"reporter": Relation(Contributor, many=False)}),
    Kind(
        Contributor,
        "Contributor",
        relations={
            "challenges": Relation(Challenge, many=True),
            "solutions": Relation(Solution, many=True),
            "learnings": Relation(Learning, many=True),
        },
        long_text=("bio",),
        always_joined=("user",),
        property_columns={"username": "user__username"},
    ),
)

_BY_MODEL = {kind.model: kind for kind in KINDS}
_BY_TYPE_NAME = {kind.type_name: kind for kind in KINDS}
_NO_KIND = Kind(Model, "")


def of(model: type[Model]) -> Kind:
    """The kind of `model`; models that are no content kind describe nothing."""
    return _BY_MODEL.get(model, _NO_KIND)


def by_type_name(name: str) -> Kind | None:
    return _BY_TYPE_NAME.get(name)


def moderated() -> dict[str, type[Model]]:
    """Public type name -> model, for every moderated (and flaggable) kind."""
    return {kind.type_name: kind.model for kind in KINDS if kind.moderated}


def searchable() -> tuple[type[Model], ...]:
    return tuple(kind.model for kind in KINDS if kind.searchable)


def seeded() -> tuple[Kind, ...]:
    """Kinds with entries in the seed data and the hub document, in the registry's order."""
    return tuple(kind for kind in KINDS if kind.seed)


def listed() -> tuple[Kind, ...]:
    """Kinds with their own browsing list (orderings and a FilterSet)."""
    return tuple(kind for kind in KINDS if kind.filterset)
