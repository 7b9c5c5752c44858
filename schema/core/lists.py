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

# What each orderBy value means (hub.kinds holds the ORDER BY); a new ordering without an
# entry here is undescribed, which tests/schema/test_schema_descriptions.py reports.
ORDER_DESCRIPTIONS = {
    "NEWEST": "Newest first, by creation time.",
    "OLDEST": "Oldest first, by creation time.",
    "TITLE": "By title (technologies: by name), A to Z.",
    "NAME": "By name, A to Z.",
    "MOST_SOLUTIONS": "Most published solutions first, then newest first.",
}

# The filters the lists share, described once; a domain's own description wins.
FILTER_DESCRIPTIONS = {
    "search": "Only items matching this text (full-text search); blank: no filter.",
    "technology": "Only items about the technology with this slug.",
    "project": "Only items of the project with this slug.",
    "author": "Only items by the contributor with this username.",
    "kind": "Only items of this kind.",
    "category": "Only technologies of this category.",
}


def _order_description(member) -> str | None:
    if member is None:  # the enum itself
        return (
            "Sort order of a list; every order ends in a stable tie-break, so pages never overlap."
        )
    return ORDER_DESCRIPTIONS.get(member.value)


@cache
def order_enum(model) -> type[graphene.Enum]:
    kind = kinds.of(model)
    return graphene.Enum(
        f"{kind.type_name}Order",
        [(order, order) for order in kind.orderings],
        description=_order_description,
    )


def _describe_argument(argument, description: str) -> None:
    """Give an unmounted argument (graphene.String(), an enum instance...) a description
    if it has none."""
    if not argument.kwargs.get("description"):
        argument.kwargs["description"] = description


def list_field(node_type, model, *, description=None, **filter_arguments) -> ConnectionField:
    kind = kinds.of(model)
    for name, argument in filter_arguments.items():
        if name in FILTER_DESCRIPTIONS:
            _describe_argument(argument, FILTER_DESCRIPTIONS[name])
    order_by = order_enum(model)(
        default_value=kind.default_order,
        description=f"Sort order of the list ({kind.default_order} when not given).",
    )
    field = ConnectionField(
        node_type,
        order_by=order_by,
        description=description,
        resolver=_list_resolver(model),
        **filter_arguments,
    )
    field.listed_model = model  # the compiled read path (schema.compiled) plans it
    return field


def slug_field(node_type, model) -> graphene.Field:
    name = kinds.of(model).type_name

    def resolve(root, info, slug):
        return selectors.get_content_by_slug(
            model=model, viewer=info.context.user, slug=slug, selection=selection_of(info)
        )

    field = graphene.Field(
        node_type,
        slug=graphene.String(required=True, description=f"The {name}'s `slug`."),
        resolver=resolve,
        description=(
            f"The {name} with this slug; null if there is none or the viewer may not see it."
        ),
    )
    field.slug_model = model  # the compiled read path (schema.compiled) plans it
    return field


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
