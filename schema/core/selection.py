"""What a client selected below a field, as a plain nested dict for hub selectors.

Field names become snake_case; fragments are merged (type conditions included:
prefetching a superset is harmless) and connection wrappers (`edges` of a
connection, `node` of an edge) are removed, so
`challenges { edges { node { author { username } } } }` gives
`{"author": {"username": {}}}`. The walk is schema.core.walk's, the one the
query limits use; those limits have bounded the expanded selection before any
resolver asks for it.
"""

from graphene.utils.str_converters import to_snake_case
from graphql import get_named_type

from schema.core.walk import child_type, expand, is_connection_wrapper


def selection_of(info) -> dict:
    tree: dict = {}
    sets = [node.selection_set for node in info.field_nodes if node.selection_set]
    _collect(info, get_named_type(info.return_type), sets, tree)
    return tree


def _collect(info, parent_type, selection_sets, into: dict) -> None:
    for node, on_type in expand(info.schema, parent_type, selection_sets, info.fragments):
        name = node.name.value
        if name.startswith("__"):
            continue
        if is_connection_wrapper(on_type, name):
            target = into
        else:
            target = into.setdefault(to_snake_case(name), {})
        if node.selection_set:
            _collect(info, child_type(on_type, name), [node.selection_set], target)
