"""Relay connections: the one connection class and field every list of the schema uses."""

import graphene
from django.db.models import QuerySet
from graphene_django import DjangoConnectionField
from graphene_django.utils import maybe_queryset
from graphql import GraphQLError
from graphql_relay import get_offset_with_default, offset_to_cursor


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

    __slots__ = ("offset",)

    def __init__(self, offset: int):
        self.offset = offset

    def __str__(self) -> str:
        return offset_to_cursor(self.offset)


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
    if args.get("offset") is not None and args.get("before") is not None:
        raise bad_page_argument("`before` and `offset` cannot be combined.")


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
    """graphene-django's connection field with offset paging over an already
    ordered (often prefetched) list, building edges without encoding cursors."""

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
    def connection_resolver(cls, *bound, **args):
        # bound: resolver, connection, manager, queryset resolver, max_limit, enforce, root, info
        _check_page_arguments(args, max_limit=bound[4], field_name=bound[-1].field_name)
        return super().connection_resolver(*bound, **args)

    @classmethod
    def resolve_connection(cls, connection, args, iterable, max_limit=None):
        offset = args.pop("offset", None)
        if offset:
            after = args.get("after")
            offset += get_offset_with_default(after, -1) + 1  # a forged cursor counts as none
            args["after"] = offset_to_cursor(offset - 1)
        iterable = maybe_queryset(iterable)
        length = iterable.count() if isinstance(iterable, QuerySet) else len(iterable)
        first, last = args.get("first"), args.get("last")
        if max_limit is not None and first is None and last is None:
            first = max_limit
        after, before = args.get("after"), args.get("before")
        after_offset = get_offset_with_default(after, -1)
        before_offset = get_offset_with_default(before, length)
        start = after_offset + 1 if 0 <= after_offset < length else 0
        end = before_offset if 0 <= before_offset < length else length
        if after and after_offset >= length:
            start = length
        if isinstance(first, int):
            end = min(end, start + first)
        if isinstance(last, int):
            start = max(start, end - last)
        start, end = min(start, length), max(min(end, length), 0)

        nodes = list(iterable[start:end]) if end > start else []
        edges = [
            connection.Edge(node=node, cursor=Cursor(start + i)) for i, node in enumerate(nodes)
        ]
        page_info = graphene.relay.PageInfo(
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=isinstance(last, int) and start > (after_offset + 1 if after else 0),
            has_next_page=isinstance(first, int) and end < (before_offset if before else length),
        )
        result = connection(edges=edges, page_info=page_info)
        result.iterable = iterable
        result.length = length
        return result
