"""What a client selected below a field, as a plain nested dict for hub selectors.

Field names become model-side names: the `model_hints` entry of the field's type
(`acceptedSolution` is a `hub.kinds.View` of `solutions`, `solutionCount` the annotation
`published_solution_count`), else the field's snake_case name. Fragments are merged
(type conditions included: prefetching a superset is harmless) and connection
wrappers (`edges` of a connection, `node` of an edge) are removed, so
`challenges { edges { node { author { username } } } }` gives
`{"author": {"username": {}}}`. The walk is schema.core.walk's, the one the
query limits use; those limits have bounded the expanded selection before any
resolver asks for it.
"""

import contextlib

from graphene.utils.str_converters import to_snake_case
from graphql import get_named_type

from schema.core.walk import child_type, expand, is_connection_wrapper


def model_key(graphql_type, field_name: str):
    """The model-side name, or `hub.kinds.View`, behind a field of a GraphQL type."""
    hints = getattr(getattr(graphql_type, "graphene_type", None), "model_hints", None)
    hint = hints.get(field_name) if hints else None
    return hint if hint is not None else to_snake_case(field_name)


def selection_of(info) -> dict:
    """The selection below this field, walked once per request and field node: the rows
    of a list resolve the same nodes (graphql-core collects them once), so a 30-row page
    asks 30 times for what one walk answers. Callers treat it as read-only."""
    memo = _memo_of(info.context)
    key = (tuple(id(node) for node in info.field_nodes), info.return_type)
    tree = memo.get(key)
    if tree is None:
        tree = memo[key] = _walk(info)
    return tree


def _walk(info) -> dict:
    tree: dict = {}
    sets = [node.selection_set for node in info.field_nodes if node.selection_set]
    _collect(info, get_named_type(info.return_type), sets, tree)
    return tree


def _memo_of(context) -> dict:
    # On the request, so it lives exactly as long as the document it points into.
    memo = getattr(context, "_hub_selections", None)
    if memo is None:
        memo = {}
        with contextlib.suppress(AttributeError):  # a context taking no attributes: no memo
            context._hub_selections = memo
    return memo


def _collect(info, parent_type, selection_sets, into: dict) -> None:
    for node, on_type in expand(info.schema, parent_type, selection_sets, info.fragments):
        name = node.name.value
        if name.startswith("__"):
            continue
        if is_connection_wrapper(on_type, name):
            target = into
        else:
            target = into.setdefault(model_key(on_type, name), {})
        if node.selection_set:
            _collect(info, child_type(on_type, name), [node.selection_set], target)
