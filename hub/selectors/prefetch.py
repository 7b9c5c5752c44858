"""Selection-aware querysets: the one place that decides how relations are loaded.

Callers pass a *selection*: a nested mapping of the model-side field names a
client asked for (connection wrappers already removed), e.g.
``{"title": {}, "author": {"username": {}}, "solutions": {"author": {}}}``.
Each selected relation is loaded up front, so a list costs a fixed number of
SQL statements however many rows it has:

- a to-one relation whose own selection is flat joins in (select_related);
- a to-one relation with lists below it, and every to-many relation, is one
  extra statement (Prefetch), filtered for what the viewer may see and ordered
  the way its list is shown, recursively;
- a to-one relation to content the viewer may not see (a reply's parent) is a
  Prefetch filtered the same way, cached as None where the target is hidden.

Every relation goes through hub.permissions.visible_q: the one exception, joined
unfiltered, is a relation holding its row (a solution's challenge), whose
visibility the row's own rule already includes.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from hub.models import (
    Challenge,
    Comment,
    ContentStatus,
    Contributor,
    Flag,
    Learning,
    Project,
    Revision,
    Solution,
    Technology,
    Vote,
)
from hub.permissions import contributor_id_of, is_container, visible_q

Selection = Mapping[str, "Selection"]


@dataclass(frozen=True)
class Relation:
    target: type[Model]
    many: bool
    # The model's relation name when the field is a filtered view of it.
    lookup: str | None = None
    to_attr: str | None = None
    # Narrows the related rows: a Q, or a function of the viewer giving one.
    condition: Q | Callable | None = None
    # Self-nested fields (comment replies, a reply's parent) whose rows come with
    # this relation: their selections, at any depth, are folded into this one.
    folds: tuple[str, ...] = ()

    def condition_for(self, viewer) -> Q | None:
        return self.condition(viewer) if callable(self.condition) else self.condition


# A thread (a challenge's or solution's comments) loads all its comments at once:
# replies and parents are found among them.
THREAD = ("replies", "parent")


def _own_votes(viewer) -> Q:
    return Q(voter_id=contributor_id_of(viewer) or 0)


RELATIONS: dict[type[Model], dict[str, Relation]] = {
    Technology: {
        "learnings": Relation(Learning, many=True),
        "projects": Relation(Project, many=True),
        "challenges": Relation(Challenge, many=True),
    },
    Learning: {
        "technologies": Relation(Technology, many=True),
        "author": Relation(Contributor, many=False),
        "revisions": Relation(Revision, many=True),
    },
    Project: {
        "technologies": Relation(Technology, many=True),
        "challenges": Relation(Challenge, many=True),
    },
    Challenge: {
        "project": Relation(Project, many=False),
        "author": Relation(Contributor, many=False),
        "technologies": Relation(Technology, many=True),
        "solutions": Relation(Solution, many=True),
        "accepted_solution": Relation(
            Solution,
            many=True,
            lookup="solutions",
            to_attr="accepted_solutions",
            condition=Q(is_accepted=True),
        ),
        "comments": Relation(Comment, many=True, to_attr="thread_comments", folds=THREAD),
        "revisions": Relation(Revision, many=True),
    },
    Solution: {
        "challenge": Relation(Challenge, many=False),
        "author": Relation(Contributor, many=False),
        "comments": Relation(Comment, many=True, to_attr="thread_comments", folds=THREAD),
        "revisions": Relation(Revision, many=True),
        "viewer_vote": Relation(
            Vote, many=True, lookup="votes", to_attr="viewer_votes", condition=_own_votes
        ),
    },
    Comment: {
        "author": Relation(Contributor, many=False),
        "parent": Relation(Comment, many=False, to_attr="visible_parent"),
        "replies": Relation(Comment, many=True, to_attr="thread_replies"),
    },
    Revision: {
        "editor": Relation(Contributor, many=False),
    },
    Flag: {
        "reporter": Relation(Contributor, many=False),
    },
    Contributor: {
        "challenges": Relation(Challenge, many=True),
        "solutions": Relation(Solution, many=True),
        "learnings": Relation(Learning, many=True),
    },
}

# Long text columns, loaded only when one of the fields showing them is selected.
LONG_TEXT: dict[type[Model], dict[str, tuple[str, ...]]] = {
    Technology: {"learned": ("learned",), "learned_html": ("learned_html",)},
    Learning: {"body": ("body",), "body_html": ("body_html",)},
    Project: {"description": ("description",), "description_html": ("description_html",)},
    Challenge: {"description": ("description",), "description_html": ("description_html",)},
    Solution: {"body": ("body",), "body_html": ("body_html",)},
    Comment: {"body": ("body",), "body_html": ("body_html",)},
    Contributor: {"bio": ("bio",)},
}

# To-one relations every row of a model needs (Contributor.username lives on the user).
ALWAYS_JOINED: dict[type[Model], tuple[str, ...]] = {Contributor: ("user",)}


def _published_solution_count() -> Coalesce:
    counts = (
        Solution.objects.filter(challenge=OuterRef("pk"), status=ContentStatus.PUBLISHED)
        .order_by()
        .values("challenge")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


# field name -> (annotation name, expression factory), added when the field is selected.
ANNOTATIONS: dict[type[Model], dict[str, tuple[str, Callable]]] = {
    Challenge: {"solution_count": ("published_solution_count", _published_solution_count)},
}


def annotate_for(qs: QuerySet, model: type[Model], field: str) -> QuerySet:
    name, expression = ANNOTATIONS[model][field]
    return qs.annotate(**{name: expression()})


def visible_queryset(model: type[Model], viewer, selection: Selection | None = None, base=None):
    """Rows of `model` the viewer may see, with what `selection` needs loaded."""
    qs = model._default_manager.all() if base is None else base
    condition = visible_q(viewer, model)
    if condition:
        qs = qs.filter(condition)
    return with_selection(qs, model, viewer, selection)


def with_selection(
    qs: QuerySet, model: type[Model], viewer, selection: Selection | None
) -> QuerySet:
    """`qs` with what `selection` needs loaded. No selection (a service's lookup): all
    columns, relations on access. A selection: its relations up front, and the
    long text columns it does not show left in the database."""
    if selection is None or not settings.HUB_PREFETCH:
        # (Off: the benchmark's naive baseline, every relation loads row by row.)
        return qs
    selection = _lift_back_references(model, viewer, selection)
    joins, prefetches, deferred = _plan(model, viewer, selection, prefix="")
    for field in selection:
        if field in ANNOTATIONS.get(model, {}):
            qs = annotate_for(qs, model, field)
    if joins:
        qs = qs.select_related(*joins)
    if prefetches:
        qs = qs.prefetch_related(*prefetches)
    if deferred:
        qs = qs.defer(*deferred)
    return qs


def _filtered(model: type[Model], field: str, viewer) -> bool:
    """Whether the to-one `model.<field>` may point at a row the viewer may not see."""
    relation = RELATIONS[model][field]
    return not is_container(model, field) and bool(visible_q(viewer, relation.target))


def _joinable(model: type[Model], field: str, viewer, selection: Selection) -> bool:
    """Whether the to-one `model.<field>`, with what is selected below it, loads by joins."""
    relation = RELATIONS[model][field]
    if _filtered(model, field, viewer):
        return False
    return not _has_lists(relation.target, viewer, selection)


def _has_lists(model: type[Model], viewer, selection: Selection) -> bool:
    """Whether loading `selection` of `model` needs more than joins."""
    relations = RELATIONS.get(model, {})
    for field, sub in selection.items():
        if field in ANNOTATIONS.get(model, {}):
            return True
        relation = relations.get(field)
        if relation and (relation.many or not _joinable(model, field, viewer, sub)):
            return True
    return False


def _back_reference(model: type[Model], field: str, viewer) -> str | None:
    """The to-one field by which the rows of the list `model.<field>` point back at the
    row they hang from, if Django sets it to that very object (a reverse foreign key) and
    it needs no filter: a challenge's solutions' `challenge` is the challenge itself."""
    relation = RELATIONS[model][field]
    if not relation.many:
        return None
    model_field = model._meta.get_field(relation.lookup or field)
    if not model_field.one_to_many or not hasattr(model_field, "field"):
        return None
    back = model_field.field.name
    if back not in RELATIONS.get(relation.target, {}) or _filtered(relation.target, back, viewer):
        return None
    return back


def _lift_back_references(model: type[Model], viewer, selection: Selection) -> Selection:
    """`selection` with what a list's rows select through their back reference moved
    up to the row itself: it is the same object, so it must be loaded once, here."""
    lifted = dict(selection)
    moved = True
    while moved:
        moved = False
        for field, sub in list(lifted.items()):
            back = RELATIONS.get(model, {}).get(field) and _back_reference(model, field, viewer)
            if back and back in sub:
                extra = sub[back]
                lifted[field] = {name: s for name, s in sub.items() if name != back}
                lifted = _merge(lifted, extra)
                moved = True
    return lifted


def _plan(model, viewer, selection: Selection, prefix: str):
    """(select_related lookups, Prefetch objects, deferred columns) for `selection`."""
    joins = [f"{prefix}{name}" for name in ALWAYS_JOINED.get(model, ())]
    prefetches = []
    deferred = [
        f"{prefix}{column}"
        for column, shown_by in LONG_TEXT.get(model, {}).items()
        if not any(field in selection for field in shown_by)
    ]
    for field, sub in selection.items():
        relation = RELATIONS.get(model, {}).get(field)
        if relation is None:
            continue
        lookup = f"{prefix}{relation.lookup or field}"
        if not relation.many and _joinable(model, field, viewer, sub):
            joins.append(lookup)
            sub_joins, sub_prefetches, sub_deferred = _plan(
                relation.target, viewer, sub, f"{lookup}__"
            )
            joins += sub_joins
            prefetches += sub_prefetches
            deferred += sub_deferred
            continue
        sub = fold(sub, relation.folds)
        related_qs = visible_queryset(relation.target, viewer, sub)
        condition = relation.condition_for(viewer)
        if condition is not None:
            related_qs = related_qs.filter(condition)
        prefetches.append(Prefetch(lookup, queryset=related_qs, to_attr=relation.to_attr))
    return joins, prefetches, deferred


def related(obj: Model, field: str, viewer, selection: Selection | None = None):
    """The rows behind `obj.<field>`: the prefetched ones, or a visible queryset
    loading what `selection` needs (for objects that did not come from a list)."""
    relation = RELATIONS[type(obj)][field]
    if relation.to_attr:
        if hasattr(obj, relation.to_attr):
            return getattr(obj, relation.to_attr)
    elif field in getattr(obj, "_prefetched_objects_cache", {}):
        return getattr(obj, field).all()
    if selection is not None:
        selection = fold(selection, relation.folds)
        # The rows' back reference is `obj`, loaded already by whoever loaded it.
        back = _back_reference(type(obj), field, viewer)
        selection = {name: sub for name, sub in selection.items() if name != back}
    qs = visible_queryset(
        relation.target, viewer, selection, base=getattr(obj, relation.lookup or field).all()
    )
    condition = relation.condition_for(viewer)
    if condition is not None:
        qs = qs.filter(condition)
    if relation.to_attr:
        rows = list(qs)
        setattr(obj, relation.to_attr, rows)
        return rows
    return qs


def related_object(obj: Model, field: str, viewer, selection: Selection | None = None):
    """The row behind the to-one `obj.<field>`, or None where the viewer may not see it:
    the joined or prefetched one, or one visible query (for objects not from a list)."""
    relation = RELATIONS[type(obj)][field]
    if relation.to_attr and hasattr(obj, relation.to_attr):  # filtered already
        return getattr(obj, relation.to_attr)
    if not _filtered(type(obj), field, viewer):
        return getattr(obj, field)
    if not hasattr(obj, relation.to_attr):
        target_id = getattr(obj, type(obj)._meta.get_field(field).attname)
        found = None
        if target_id is not None:
            found = visible_queryset(relation.target, viewer, selection).filter(pk=target_id)
            found = found.first()
        setattr(obj, relation.to_attr, found)
    return getattr(obj, relation.to_attr)


def fold(selection: Selection, fields: tuple[str, ...]) -> dict:
    """Merge `selection[field]` for each of `fields`, recursively, into `selection`
    (minus those fields)."""
    if not fields:
        return dict(selection)
    merged: dict = {}
    pending = [selection]
    while pending:
        current = pending.pop()
        for name, sub in current.items():
            if name in fields:
                pending.append(sub)
            else:
                merged[name] = _merge(merged.get(name, {}), sub)
    return merged


def _merge(a: Selection, b: Selection) -> dict:
    out = dict(a)
    for name, sub in b.items():
        out[name] = _merge(out.get(name, {}), sub)
    return out
