"""Reads as plain rows (`.values()` dicts) for the compiled read path (schema.compiled).

Same rows as the model reads: visibility, filters and ordering are list_content's,
get_content_by_slug's and the prefetch planner's (hub.selectors.prefetch); only the
columns are asked for by name, and no model instance is built. A column may be a path
through to-one relations (`author__user__username`): a relation that never hides its
target is read by a join, as the prefetch planner joins it. Positions (cursors) are read
from the row by the ordering's own keys.
"""

from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db.models import F, Field, ForeignObjectRel, Lookup, ManyToManyField, Model

from hub import kinds
from hub.permissions import Viewer, is_container
from hub.selectors.community import arrange_thread
from hub.selectors.content import list_content
from hub.selectors.paging import Ordering, Page, ordering_of, page_rows
from hub.selectors.prefetch import visible_queryset
from hub.services.rules import find_unstorable_error

# The column of a related row naming the row it hangs from (related_values).
_PARENT = "_row_parent"


class Row(dict):
    """A `.values()` row whose columns also read as attributes (Ordering.position_of)."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _columns(model: type[Model], columns: Sequence[str], ordering: Ordering | None) -> list[str]:
    """The asked columns, plus the ordering's keys (for positions), each once."""
    keys = [key.name for key in ordering.keys] if ordering is not None else []
    return list(dict.fromkeys([model._meta.pk.name, *columns, *keys]))


def column_of(model: type[Model], name: str) -> str | None:
    """The column (or path to one) that `model.<name>` shows, or None if it is not one:
    a concrete field's own column, or a property declared by the kind."""
    path = kinds.of(model).property_columns.get(name)
    if path is not None:
        return path
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.concrete or field.is_relation or field.attname != name:
        return None
    return name


def joins(model: type[Model], relation: str) -> bool:
    """Whether the to-one `model.<relation>` is read by a join: for every viewer, its
    target is visible whenever the row is (the target's kind hides nothing, or it is
    the content holding the row). The others are the reference path's."""
    if is_container(model, relation):
        return True
    target = kinds.of(kinds.of(model).relations[relation].target)
    return not (target.moderated or target.private_to)


def page_values(
    *,
    viewer: Viewer,
    model: type[Model],
    columns: Sequence[str],
    filters: Mapping | None = None,
    order_by: str | None = None,
    after: tuple | None = None,
    before: tuple | None = None,
    first: int | None = None,
    last: int | None = None,
    offset: int = 0,
) -> Page:
    """One page of a listed kind's list, as rows: list_content's rows, paged by page_rows."""
    order = order_by or kinds.of(model).default_order
    qs = list_content(viewer=viewer, model=model, filters=filters, order_by=order)
    ordering = ordering_of(model, order)
    page = page_rows(
        qs,
        ordering=ordering,
        after=after,
        before=before,
        first=first,
        last=last,
        offset=offset,
        values=_columns(model, columns, ordering),
    )
    rows = page.rows = [Row(row) for row in page.rows]
    page.positions = lambda i: ordering.position_of(rows[i])
    return page


def get_values_by_slug(
    *, viewer: Viewer, model: type[Model], slug: str, columns: Sequence[str]
) -> Row | None:
    """get_content_by_slug's object, as a row of `columns`, or None."""
    if find_unstorable_error("slug", slug):
        return None
    qs = visible_queryset(model, viewer, None).filter(slug=slug)
    row = qs.values(*_columns(model, columns, None)).first()
    return None if row is None else Row(row)


def reads_list(model: type[Model], relation: str) -> bool:
    """Whether related_values reads the list `model.<relation>`: a many-to-many field or a
    reverse foreign key (not a generic relation: revisions)."""
    field = model._meta.get_field(relation)
    return isinstance(field, ManyToManyField | ForeignObjectRel)


def _back_name(model: type[Model], relation: str) -> str:
    """The name by which the rows of the list `model.<relation>` query the row they hang
    from (a solution's `challenge`, a technology's `challenges`)."""
    field = model._meta.get_field(relation)
    if isinstance(field, ForeignObjectRel):  # the target's field pointing here
        return field.field.name
    return field.related_query_name()


@Field.register_lookup
class _AnyOf(Lookup):
    """`column = ANY(%s)` with the ids as one array parameter on PostgreSQL (a list of
    hundreds of ids is then one value to adapt, not hundreds to compile); `IN` elsewhere.
    For ids read from the database (related_values): the values are not converted."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def related_values(
    *,
    viewer: Viewer,
    model: type[Model],
    relation: str,
    parent_ids: Iterable,
    columns: Sequence[str],
) -> dict[object, list[Row]]:
    """The visible rows of the list `model.<relation>` of each of these rows, in the
    order the list is shown (its Meta.ordering), by the id of the row they hang from:
    one statement, the prefetch planner's Prefetch as rows."""
    parent_ids = list(parent_ids)
    if not parent_ids:
        return {}
    target = kinds.of(model).relations[relation].target
    back = _back_name(model, relation)
    ordering = ordering_of(target)
    qs = visible_queryset(target, viewer, None).filter(**{f"{back}__pk__any_of": parent_ids})
    # The filter's join is reused: the parent column is the filtered relation's.
    qs = ordering.apply(qs).values(*_columns(target, columns, ordering), **{_PARENT: F(back)})
    grouped: dict = {}
    for row in qs:
        grouped.setdefault(row.pop(_PARENT), []).append(Row(row))
    return grouped


# Where thread_values keeps, in a comment's row, its visible replies and parent.
REPLIES, PARENT = "\0replies", "\0parent"


def thread_values(
    *,
    viewer: Viewer,
    model: type[Model],
    relation: str,
    parent_ids: Iterable,
    columns: Sequence[str],
) -> dict[object, list[Row]]:
    """The comment thread (`relation`, a kind's relation that folds replies and parents
    into itself) of each of these rows: its top-level comments by the id of the row,
    every comment's visible replies and parent in its row (REPLIES, PARENT), as
    list_thread_comments arranges them. One statement for all the threads."""
    threads = related_values(
        viewer=viewer,
        model=model,
        relation=relation,
        parent_ids=parent_ids,
        columns=[*columns, "parent_id"],
    )
    roots_by_target = {}
    for target_id, comments in threads.items():
        roots, replies, by_id = arrange_thread(
            comments, id_of=itemgetter("id"), parent_id_of=itemgetter("parent_id")
        )
        for comment in comments:
            comment[REPLIES] = replies.get(comment["id"], [])
            comment[PARENT] = by_id.get(comment["parent_id"])
        roots_by_target[target_id] = roots
    return roots_by_target
