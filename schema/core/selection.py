"""What a client selected below a field, as a plain nested dict for hub selectors.

Field names become snake_case; fragments are merged (type conditions included:
prefetching a superset is harmless) and connection wrappers (`edges`, `node`,
`nodes`) are removed, so `challenges { edges { node { author { username } } } }`
gives `{"author": {"username": {}}}`.
"""

from graphene.utils.str_converters import to_snake_case
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

_CONNECTION_WRAPPERS = {"edges", "node", "nodes"}


def selection_of(info) -> dict:
    tree: dict = {}
    for field_node in info.field_nodes:
        if field_node.selection_set:
            _collect(info, field_node.selection_set, tree, frozenset())
    return tree


def _collect(info, selection_set, into: dict, seen_fragments: frozenset) -> None:
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            name = node.name.value
            if name.startswith("__"):
                continue
            if name in _CONNECTION_WRAPPERS:
                target = into
            else:
                target = into.setdefault(to_snake_case(name), {})
            if node.selection_set:
                _collect(info, node.selection_set, target, seen_fragments)
        elif isinstance(node, InlineFragmentNode):
            _collect(info, node.selection_set, into, seen_fragments)
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            fragment = info.fragments.get(name)
            if fragment is not None and name not in seen_fragments:
                _collect(info, fragment.selection_set, into, seen_fragments | {name})
