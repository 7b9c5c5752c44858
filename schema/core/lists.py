"""The browsing lists and by-slug lookups of the listed kinds (hub.kinds), built one way.

A domain declares its list's GraphQL filter arguments (the public contract, with their
descriptions); everything else comes from the kind: the orderBy enum and its default,
and the resolver, which hands the filter values to hub as one mapping (the FilterSet's
names, snake_case as graphene passes them) with the viewer and the selection.
"""

from functools import cache

import graphene

from hub import kinds, selectors
from schema.core.connection import ConnectionField
from schema.core.enums import enum_value
from schema.core.selection import selection_of

# Arguments of every connection: paging, not filtering.
PAGE_ARGUMENTS = frozenset({"first", "last", "after", "before", "offset"})


@cache
def order_enum(model) -> type[graphene.Enum]:
    kind = kinds.of(model)
    return graphene.Enum(
        f"{kind.type_name}Order",
        [(order, order) for order in kind.orderings],
        description="Sort order of the list.",
    )


def list_field(node_type, model, *, description=None, **filter_arguments) -> ConnectionField:
    kind = kinds.of(model)
    return ConnectionField(
        node_type,
        order_by=order_enum(model)(default_value=kind.default_order),
        description=description,
        resolver=_list_resolver(model),
        **filter_arguments,
    )


def slug_field(node_type, model) -> graphene.Field:
    def resolve(root, info, slug):
        return selectors.get_content_by_slug(
            model=model, viewer=info.context.user, slug=slug, selection=selection_of(info)
        )

    return graphene.Field(node_type, slug=graphene.String(required=True), resolver=resolve)


def _list_resolver(model):
    def resolve(root, info, order_by=None, **arguments):
        filters = {
            name: enum_value(value)
            for name, value in arguments.items()
            if name not in PAGE_ARGUMENTS
        }
        return selectors.list_content(
            model=model,
            viewer=info.context.user,
            filters=filters,
            order_by=enum_value(order_by),
            selection=selection_of(info),
        )

    return resolve
