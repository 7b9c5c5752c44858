"""Selection-aware querysets: the one place that decides how relations are loaded.

Callers pass a *selection*: a nested mapping of the model-side field names a
client asked for (connection wrappers already removed), e.g.
``{"title": {}, "author": {"username": {}}, "solutions": {"author": {}}}``; a key may
also be a `hub.kinds.View`, some rows of a relation (a challenge's accepted solution).
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

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model, Prefetch, Q, QuerySet

from hub import kinds
from hub.kinds import View
from hub.permissions import is_container, visible_q
from hub.selectors.paging import ordering_of

Selection = Mapping["str | View", "Selection"]


@dataclass(frozen=True)
class _Load:
    """How one selection key of a model loads: a relation, or a View of one."""

    relation: kinds.Relation
    lookup: str  # the model's relation name
    to_attr: str | None
    where: Q | None


def _load(model: type[Model], key) -> _Load | None:
    relations = kinds.of(model).relations
    if isinstance(key, View):
        # (Fragments on several types merge into one selection: a key may be another's.)
        relation = relations.get(key.relation)
        return relation and _Load(relation, key.relation, key.name, key.where)
    relation = relations.get(key)
    return relation and _Load(relation, key, relation.to_attr, None)


def _relations(model: type[Model]):
    return kinds.of(model).relations


def annotate_for(qs: QuerySet, model: type[Model], name: str) -> QuerySet:
    return qs.annotate(**{name: kinds.of(model).annotations[name].expression()})


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
        if field in kinds.of(model).annotations:
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
    relation = _relations(model)[field]
    return not is_container(model, field) and bool(visible_q(viewer, relation.target))


def _joinable(model: type[Model], load: _Load, viewer, selection: Selection) -> bool:
    """Whether the to-one relation, with what is selected below it, loads by joins."""
    if load.relation.many or _filtered(model, load.lookup, viewer):
        return False
    return not _has_lists(load.relation.target, viewer, selection)


def _has_lists(model: type[Model], viewer, selection: Selection) -> bool:
    """Whether loading `selection` of `model` needs more than joins."""
    for key, sub in selection.items():
        if key in kinds.of(model).annotations:
            return True
        load = _load(model, key)
        if load and not _joinable(model, load, viewer, sub):
            return True
    return False


def _back_reference(model: type[Model], key, viewer) -> str | None:
    """The to-one field by which the rows of the list `model.<key>` point back at the
    row they hang from, if Django sets it to that very object (a reverse foreign key) and
    it needs no filter: a challenge's solutions' `challenge` is the challenge itself."""
    load = _load(model, key)
    if not load.relation.many:
        return None
    relation = load.relation
    model_field = model._meta.get_field(load.lookup)
    if not model_field.one_to_many or not hasattr(model_field, "field"):
        return None
    back = model_field.field.name
    if back not in _relations(relation.target) or _filtered(relation.target, back, viewer):
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
            back = _load(model, field) and _back_reference(model, field, viewer)
            if back and back in sub:
                extra = sub[back]
                lifted[field] = {name: s for name, s in sub.items() if name != back}
                lifted = _merge(lifted, extra)
                moved = True
    return lifted


def _plan(model, viewer, selection: Selection, prefix: str):
    """(select_related lookups, Prefetch objects, deferred columns) for `selection`."""
    kind = kinds.of(model)
    joins = [f"{prefix}{name}" for name in kind.always_joined]
    prefetches = []
    deferred = [f"{prefix}{column}" for column in kind.long_text if column not in selection]
    for key, sub in selection.items():
        load = _load(model, key)
        if load is None:
            continue
        relation = load.relation
        lookup = f"{prefix}{load.lookup}"
        if _joinable(model, load, viewer, sub):
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
        if load.where is not None:
            related_qs = related_qs.filter(load.where)
        if relation.many:  # in the order its connection pages by
            related_qs = ordering_of(relation.target).apply(related_qs)
        prefetches.append(Prefetch(lookup, queryset=related_qs, to_attr=load.to_attr))
    return joins, prefetches, deferred


def related(obj: Model, field: "str | View", viewer, selection: Selection | None = None):
    """The rows behind `obj.<field>` (a relation or a View of one): the prefetched ones,
    or a visible queryset loading what `selection` needs (for objects that did not come
    from a list)."""
    load = _load(type(obj), field)
    if load.to_attr:
        if hasattr(obj, load.to_attr):
            return getattr(obj, load.to_attr)
    elif field in getattr(obj, "_prefetched_objects_cache", {}):
        return getattr(obj, field).all()
    if selection is not None:
        selection = fold(selection, load.relation.folds)
        # The rows' back reference is `obj`, loaded already by whoever loaded it.
        back = _back_reference(type(obj), field, viewer)
        selection = {name: sub for name, sub in selection.items() if name != back}
    qs = visible_queryset(
        load.relation.target, viewer, selection, base=getattr(obj, load.lookup).all()
    )
    if load.where is not None:
        qs = qs.filter(load.where)
    qs = ordering_of(load.relation.target).apply(qs)
    if load.to_attr:
        rows = list(qs)
        setattr(obj, load.to_attr, rows)
        return rows
    return qs


def related_object(obj: Model, field: str, viewer, selection: Selection | None = None):
    """The row behind the to-one `obj.<field>`, or None where the viewer may not see it:
    the joined or prefetched one, or one visible query (for objects not from a list)."""
    relation = _relations(type(obj))[field]
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
