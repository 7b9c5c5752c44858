"""Relay connections: the one connection class and field every list of the schema uses.

Paging is keyset paging (hub.selectors.paging): a cursor is a position in the list's
ordering (schema.core.cursors), so pages hold every row exactly once while rows are
added and removed between them, in both directions.
"""

import graphene
from graphene_django import DjangoConnectionField
from graphene_django.settings import graphene_settings
from graphene_django.utils import maybe_queryset
from graphql import GraphQLError
from promise import Promise

from hub import selectors
from hub.errors import ApplicationError
from schema.core.cursors import bad_cursor, decode_cursor, encode_cursor
from schema.core.enums import enum_value


def bad_page_argument(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


class CountableConnection(graphene.relay.Connection):
    """Relay connection with the total number of items across all pages."""

    class Meta:
        abstract = True

    total_count = graphene.Int(
        required=True,
        description="Items in the whole list, across all pages, that the viewer may see.",
    )

    @classmethod
    def __init_subclass_with_meta__(cls, node=None, description=None, **options):
        # Each model's connection type is generated, so is its description.
        name = getattr(getattr(node, "_meta", None), "name", None) or "item"
        description = description or (
            f"One page of a list of `{name}`: `edges` in the list's order, `pageInfo` to "
            "fetch the next or previous page, `totalCount` across all pages."
        )
        super().__init_subclass_with_meta__(node=node, description=description, **options)

    @staticmethod
    def resolve_total_count(root, info):
        return root.length


class Cursor:
    """An edge's cursor, encoded only if a client asks for it (most never do)."""

    __slots__ = ("connection", "index", "order", "ordering", "page")

    def __init__(self, *, connection: str, order: str, ordering, page, index: int):
        self.connection, self.order, self.ordering = connection, order, ordering
        self.page, self.index = page, index

    def __str__(self) -> str:
        position = self.ordering.to_json(self.page.positions(self.index))
        return encode_cursor(connection=self.connection, order=self.order, position=position)


def _check_page_arguments(args: dict, *, max_limit: int | None, field_name: str) -> None:
    """graphene-django checks these with `assert`; a client's mistake is a typed error here."""
    for name in ("first", "last"):
        value = args.get(name)
        if not isinstance(value, int):
            continue
        if value < 0:
            raise bad_page_argument(f"Argument '{name}' must be a non-negative integer.")
        if max_limit and value > max_limit:
            raise bad_page_argument(
                f"Requesting {value} records on the `{field_name}` connection "
                f"exceeds the `{name}` limit of {max_limit} records."
            )
    offset = args.get("offset")
    if offset is not None:
        if offset < 0:
            raise bad_page_argument("Argument 'offset' must be a non-negative integer.")
        if args.get("before") is not None:
            raise bad_page_argument("`before` and `offset` cannot be combined.")
        if args.get("last") is not None and args.get("first") is None:
            raise bad_page_argument("`offset` pages forwards: combine it with `first`.")


def page_arguments(info, args: dict, *, ordering, order: str, max_limit: int | None) -> dict:
    """The keyword arguments of hub's page_rows for a connection field's arguments:
    cursors decoded (and checked to be this connection's and ordering's)."""
    _check_page_arguments(args, max_limit=max_limit, field_name=info.field_name)
    connection = f"{info.parent_type.name}.{info.field_name}"
    positions = {}
    for name in ("after", "before"):
        cursor = args.get(name)
        if cursor is None:
            continue
        raw = decode_cursor(cursor, connection=connection, order=order, argument=name)
        try:
            positions[name] = ordering.from_json(raw)
        except ApplicationError as error:
            raise bad_cursor(f"`{name}`: {error.message}") from None
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        first = max_limit if max_limit is not None else graphene_settings.RELAY_CONNECTION_MAX_LIMIT
    return {**positions, "first": first, "last": last, "offset": args.get("offset") or 0}


def connection_from_page(connection_type, page, *, info, ordering, order: str):
    """The GraphQL connection showing one hub page (hub.selectors.paging.Page)."""
    name = f"{info.parent_type.name}.{info.field_name}"
    edges = [
        connection_type.Edge(
            node=node,
            cursor=Cursor(connection=name, order=order, ordering=ordering, page=page, index=i),
        )
        for i, node in enumerate(page.rows)
    ]
    page_info = graphene.relay.PageInfo(
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
        has_previous_page=page.has_previous,
        has_next_page=page.has_next,
    )
    result = connection_type(edges=edges, page_info=page_info)
    result.length = page.total
    return result


# The paging arguments of every connection, described once.
PAGE_ARGUMENT_DESCRIPTIONS = {
    "first": "The first n items (after `after`, if given), 0 to 100. With neither `first` nor "
    "`last`, a page holds the first 100.",
    "after": "Start after the item with this cursor (an edge's `cursor`; `pageInfo.endCursor` "
    "for the next page).",
    "last": "The last n items (before `before`, if given), 0 to 100.",
    "before": "End before the item with this cursor (an edge's `cursor`; "
    "`pageInfo.startCursor` for the previous page).",
    "offset": "Skip this many items (after `after`, if given); cannot be combined with `before`.",
}


class ConnectionField(DjangoConnectionField):
    """graphene-django's connection field with keyset paging (hub.selectors.paging) over
    an ordered queryset or an already loaded (often prefetched) list. Its cursors are
    positions in the list's ordering: the orderBy argument's, or the nested list's own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("first", graphene.Int(description=PAGE_ARGUMENT_DESCRIPTIONS["first"]))
        kwargs.setdefault("after", graphene.String(description=PAGE_ARGUMENT_DESCRIPTIONS["after"]))
        kwargs.setdefault("last", graphene.Int(description=PAGE_ARGUMENT_DESCRIPTIONS["last"]))
        kwargs.setdefault(
            "before", graphene.String(description=PAGE_ARGUMENT_DESCRIPTIONS["before"])
        )
        kwargs.setdefault("offset", graphene.Int(description=PAGE_ARGUMENT_DESCRIPTIONS["offset"]))
        super().__init__(*args, **kwargs)

    @classmethod
    def connection_resolver(
        cls,
        resolver,
        connection,
        default_manager,
        queryset_resolver,
        max_limit,
        enforce_first_or_last,
        root,
        info,
        **args,
    ):
        if enforce_first_or_last and args.get("first") is None and args.get("last") is None:
            raise bad_page_argument(
                f"Page the `{info.field_name}` connection with `first` or `last`."
            )
        order = enum_value(args.get("order_by")) or ""
        ordering = selectors.ordering_of(connection._meta.node._meta.model, order or None)
        paging = page_arguments(info, args, ordering=ordering, order=order, max_limit=max_limit)
        iterable = resolver(root, info, **args)
        if iterable is None:
            iterable = default_manager
        iterable = maybe_queryset(queryset_resolver(connection, iterable, info, args))

        def on_resolve(rows):
            page = selectors.page_rows(maybe_queryset(rows), ordering=ordering, **paging)
            return connection_from_page(connection, page, info=info, ordering=ordering, order=order)

        if Promise.is_thenable(iterable):
            return Promise.resolve(iterable).then(on_resolve)
        return on_resolve(iterable)
