"""The one walk over the selections of a GraphQL document.

The query limits, the rate limits' view of an operation and the selection handed
to hub selectors all read selections through this module, so they agree on what
a fragment expands to and on which fields are a connection's plumbing.

Work is linear in the document, however its fragments nest: `measure` analyses
each fragment once and reuses its result wherever it is spread (a chain of
fragments that each spread the next twice is counted, not walked, 2^n times),
and `expand` inlines each fragment at most once per selection set, as
graphql-core's executor does. Both are safe on documents that have not been
validated yet (unknown fields, fragments or types, fragment cycles), because the
limits run before validation: validation itself is not linear in every shape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_list_type,
    is_object_type,
    value_from_ast_untyped,
)

PAGE_ARGUMENTS = ("first", "last")
# Counts saturate here: a document this big is refused whatever the exact figure.
_CAP = 1 << 62


def is_connection_wrapper(parent_type, field_name: str) -> bool:
    """`edges` of a connection and `node` of an edge: plumbing, not a level of data."""
    fields = getattr(parent_type, "fields", None)
    if not fields:
        return False
    if field_name == "edges":
        return "pageInfo" in fields
    if field_name == "node":
        return "cursor" in fields
    return False


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def operations_of(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def condition_type(schema, type_condition, default):
    """The type a fragment applies to (its own condition, else the enclosing type)."""
    if type_condition is None or schema is None:
        return default
    return schema.get_type(type_condition.name.value) or default


def expand(schema, parent_type, selection_sets, fragments) -> Iterator[tuple[FieldNode, object]]:
    """Each field of the selection sets with the type it is selected on, fragments inlined.

    A fragment is inlined once per call, as graphql-core's collect_fields does, so
    spreading it twice (or in a cycle) adds nothing. Iterative: a long chain of
    fragments costs no Python stack.
    """
    visited: set[str] = set()
    stack = [(iter(s.selections), parent_type) for s in reversed(selection_sets)]
    while stack:
        selections, on_type = stack[-1]
        node = next(selections, None)
        if node is None:
            stack.pop()
        elif isinstance(node, FieldNode):
            yield node, on_type
        elif isinstance(node, InlineFragmentNode):
            inner = condition_type(schema, node.type_condition, on_type)
            stack.append((iter(node.selection_set.selections), inner))
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visited:
                visited.add(name)
                inner = condition_type(schema, fragment.type_condition, on_type)
                stack.append((iter(fragment.selection_set.selections), inner))


def spreads_in(selection_set: SelectionSetNode) -> set[str]:
    """Names of the fragments a selection set spreads itself (not through other fragments)."""
    names: set[str] = set()
    stack = [selection_set]
    while stack:
        for node in stack.pop().selections:
            if isinstance(node, FragmentSpreadNode):
                names.add(node.name.value)
            elif node.selection_set is not None:
                stack.append(node.selection_set)
    return names


def dependency_order(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragments ordered so that each comes after those it spreads; cycles are broken."""
    spreads = {name: spreads_in(f.selection_set) for name, f in fragments.items()}
    order: list[str] = []
    state: dict[str, int] = {}  # 1: being visited, 2: done
    for root in fragments:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(spreads[root])))]
        while stack:
            name, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                state[name] = 2
                order.append(name)
            elif child in fragments and child not in state:
                state[child] = 1
                stack.append((child, iter(sorted(spreads[child]))))
    return order


_META_FIELDS = {
    "__schema": SchemaMetaFieldDef,
    "__type": TypeMetaFieldDef,
    "__typename": TypeNameMetaFieldDef,
}


def field_of(parent_type, name: str):
    """The field's definition, introspection's meta fields included; None if unknown."""
    if parent_type is None:
        return None
    if name in _META_FIELDS:
        return _META_FIELDS[name]
    return getattr(parent_type, "fields", {}).get(name)


def child_type(parent_type, name: str):
    definition = field_of(parent_type, name)
    return get_named_type(definition.type) if definition is not None else None


@dataclass
class Measure:
    """What a selection set asks for, relative to where it is used.

    `depth` counts levels of objects below the enclosing field; `cost` is the
    number of nodes it could return for one enclosing object (GitHub's rule:
    page sizes multiplied down nested lists).
    """

    fields: int = 0
    aliases: int = 0
    depth: int = 0
    cost: int = 0
    directives: int = 0
    nesting: int = 0  # selection sets inside one another, inline fragments included
    # graphql-core's validation compares fields of one response name pairwise and
    # fragments spread into one selection set pairwise: the largest such groups.
    overlap: int = 0
    spreads: int = 0
    # The set's own response names and spread fragments, merged into the enclosing set.
    top_names: Counter = field(default_factory=Counter)
    top_spreads: set[str] = field(default_factory=set)
    root_fields: list[str] = field(default_factory=list)

    def add(self, other: Measure, *, deeper: int = 0, nested: int = 0, times: int = 1) -> None:
        self.fields = min(_CAP, self.fields + other.fields)
        self.aliases = min(_CAP, self.aliases + other.aliases)
        self.directives = min(_CAP, self.directives + other.directives)
        self.depth = max(self.depth, other.depth + deeper)
        self.nesting = max(self.nesting, other.nesting + nested)
        self.cost = min(_CAP, self.cost + times * other.cost)
        self.overlap = max(self.overlap, other.overlap)
        self.spreads = max(self.spreads, other.spreads)

    def absorb(self, other: Measure) -> None:
        """`other` is a fragment of this very selection set: its fields merge with ours."""
        self.add(other, nested=1)
        self.top_names.update(other.top_names)
        self.top_spreads |= other.top_spreads


class Measurer:
    """Measures selection sets of one document; each fragment is measured once.

    `check` sees every selection set's measure as soon as it is known and may raise:
    the counts only grow towards the operation, so a walk that is already over a
    limit stops there, and each step's work stays bounded by the limits.
    """

    def __init__(
        self,
        schema,
        document: DocumentNode,
        variables=None,
        *,
        page_size_cap=100,
        check: Callable[[Measure], None] | None = None,
    ):
        self.schema = schema
        self.check = check
        self.fragments = fragments_of(document)
        self.variables = variables if isinstance(variables, dict) else {}
        self.page_size_cap = page_size_cap
        self._fragment_measures: dict[str, Measure] | None = None
        self._list_sizes = introspection_list_sizes(schema) if schema is not None else {}

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        root_type = self.schema.get_root_type(operation.operation) if self.schema else None
        measure = self.selection_set(operation.selection_set, root_type)
        measure.root_fields = [
            node.name.value
            for node, _ in expand(self.schema, root_type, [operation.selection_set], self.fragments)
        ]
        return measure

    def fragment(self, name: str) -> Measure:
        """A fragment's measure (empty if unknown, or spread in a cycle: validation refuses)."""
        if self._fragment_measures is None:
            # Each fragment measured once, after the ones it spreads: a chain of any
            # length is a loop here, never a recursion.
            self._fragment_measures = {}
            for each in dependency_order(self.fragments):
                fragment = self.fragments[each]
                on_type = condition_type(self.schema, fragment.type_condition, None)
                self._fragment_measures[each] = self.selection_set(fragment.selection_set, on_type)
        return self._fragment_measures.get(name) or Measure()

    def selection_set(self, selection_set: SelectionSetNode, parent_type) -> Measure:
        measure = Measure()
        for node in selection_set.selections:
            measure.directives += len(node.directives or ())
            if isinstance(node, FieldNode):
                measure.add(self._field(node, parent_type))
                measure.top_names[(node.alias or node.name).value] += 1
            elif isinstance(node, InlineFragmentNode):
                inner = condition_type(self.schema, node.type_condition, parent_type)
                measure.absorb(self.selection_set(node.selection_set, inner))
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name not in measure.top_spreads:  # spread twice, merged once
                    measure.top_spreads.add(name)
                    measure.absorb(self.fragment(name))
        measure.overlap = max(measure.overlap, max(measure.top_names.values(), default=0))
        measure.spreads = max(measure.spreads, len(measure.top_spreads))
        if self.check is not None:
            self.check(measure)
        return measure

    def _field(self, node: FieldNode, parent_type) -> Measure:
        name = node.name.value
        measure = Measure(fields=1, aliases=int(node.alias is not None))
        definition = field_of(parent_type, name)
        field_type = get_named_type(definition.type) if definition is not None else None
        if field_type is not None and self.schema is not None:
            field_type = self.schema.get_type(field_type.name) or field_type
        size = self._list_size(node, parent_type, definition, field_type)
        wrapper = is_connection_wrapper(parent_type, name)
        if not wrapper and not _is_introspection(parent_type):
            measure.depth = 1
        if size is not None:
            measure.cost = size
        if node.selection_set is not None:
            child = self.selection_set(node.selection_set, field_type)
            measure.add(
                child, deeper=measure.depth, nested=1, times=size if size is not None else 1
            )
        return measure

    def _list_size(self, node: FieldNode, parent_type, definition, field_type) -> int | None:
        """How many items the field can return, if it returns several objects."""
        if definition is None or field_type is None:
            return None
        introspected = self._list_sizes.get((parent_type.name, node.name.value))
        if introspected is not None:
            return introspected
        args = {a.name.value: a.value for a in node.arguments or ()}
        if "pageInfo" in getattr(field_type, "fields", {}):  # a connection
            sizes = [self._int(args[a]) for a in PAGE_ARGUMENTS if a in args]
            sizes = [s for s in sizes if s is not None]
            return max(sizes) if sizes else self.page_size_cap
        if is_list_type(get_nullable_type(definition.type)) and "first" in definition.args:
            default = definition.args["first"].default_value
            size = self._int(args["first"]) if "first" in args else None
            if size is None:
                size = default if isinstance(default, int) else self.page_size_cap
            return min(size, self.page_size_cap)
        return None

    def _int(self, value_node) -> int | None:
        value = (
            self.variables.get(value_node.name.value)
            if isinstance(value_node, VariableNode)
            else value_from_ast_untyped(value_node)
        )
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return min(value, self.page_size_cap)
        return None


def _is_introspection(parent_type) -> bool:
    return getattr(parent_type, "name", "").startswith("__")


_introspection_sizes: dict[int, dict[tuple[str, str], int]] = {}


def introspection_list_sizes(schema) -> dict[tuple[str, str], int]:
    """The longest list each introspection field can return in this schema.

    Introspection is charged for what it returns: `__schema { types { fields { args } } }`
    costs types x fields x arguments, like nested connections.
    """
    known = _introspection_sizes.get(id(schema))
    if known is not None:
        return known
    types = list(schema.type_map.values())
    composites = [t for t in types if is_object_type(t) or is_interface_type(t)]

    def longest(collections) -> int:
        return max((len(c) for c in collections), default=0) or 1

    sizes = {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        ("__Type", "fields"): longest(t.fields for t in composites),
        ("__Type", "interfaces"): longest(t.interfaces for t in composites),
        ("__Type", "possibleTypes"): longest(
            schema.get_possible_types(t) for t in types if is_abstract_type(t)
        ),
        ("__Type", "enumValues"): longest(t.values for t in types if is_enum_type(t)),
        ("__Type", "inputFields"): longest(t.fields for t in types if is_input_object_type(t)),
        ("__Field", "args"): longest(f.args for t in composites for f in t.fields.values()),
        ("__Directive", "args"): longest(d.args for d in schema.directives),
    }
    _introspection_sizes[id(schema)] = sizes
    return sizes
