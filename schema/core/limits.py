"""Query limits, checked on the parsed document before anything executes.

One walk over the chosen operation (fragments expanded, introspection skipped)
measures its depth, field count, aliases and cost. Depth counts levels of
objects (a connection's `edges { node }` add none), so
`challenges { edges { node { author { username } } } }` is 3 deep. Cost follows GitHub: the
number of nodes the query could return, multiplying `first`/`last` (or the
100-item page cap when neither is given) down each nested connection.
"""

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)

PAGE_ARGUMENTS = ("first", "last")
_CONNECTION_WRAPPERS = {"edges", "node"}


def field_is_wrapper(parent_type) -> bool:
    """`edges` of a Connection, `node` of an Edge: plumbing, not a level of data."""
    name = getattr(parent_type, "name", "")
    return name.endswith("Connection") or name.endswith("Edge")


@dataclass(frozen=True)
class QueryLimits:
    max_depth: int = 10
    max_cost: int = 500_000
    max_aliases: int = 30
    max_fields: int = 500
    page_size_cap: int = 100


@dataclass
class QueryMeasure:
    depth: int = 0
    fields: int = 0
    aliases: int = 0
    cost: int = 0


class QueryLimitExceeded(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_limits(schema, document, operation_name, variables, limits: QueryLimits) -> QueryMeasure:
    """Measure the operation to run; raise QueryLimitExceeded if it is over a limit."""
    operation = _operation(document, operation_name)
    if operation is None:
        return QueryMeasure()
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root_type = schema.get_root_type(operation.operation)
    walker = _Walker(schema, fragments, variables if isinstance(variables, dict) else {}, limits)
    walker.walk(root_type, operation.selection_set, depth=1, multiplier=1, seen=frozenset())
    m = walker.measure
    if m.depth > limits.max_depth:
        raise QueryLimitExceeded(
            "QUERY_TOO_DEEP", f"Query depth {m.depth} exceeds the limit of {limits.max_depth}."
        )
    if m.aliases > limits.max_aliases:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"Query uses {m.aliases} aliases; the limit is {limits.max_aliases}.",
        )
    if m.fields > limits.max_fields:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"Query selects {m.fields} fields; the limit is {limits.max_fields}.",
        )
    if m.cost > limits.max_cost:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"Query could return {m.cost} nodes; the limit is {limits.max_cost} "
            "(cost = first/last multiplied down nested lists).",
        )
    return m


def _operation(document, operation_name) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in operations if o.name and o.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


class _Walker:
    def __init__(self, schema, fragments, variables, limits: QueryLimits):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.measure = QueryMeasure()

    def walk(self, parent_type, selection_set, depth: int, multiplier: int, seen) -> None:
        m = self.measure
        # Stop counting once far over a limit: the answer is already "too big".
        if m.fields > self.limits.max_fields * 4 or depth > self.limits.max_depth + 5:
            m.depth = max(m.depth, depth)
            return
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                name = node.name.value
                if name.startswith("__"):
                    continue  # introspection: GraphiQL's own, bounded by the schema
                m.fields += 1
                # Depth counts levels of objects: a connection's edges/node add none.
                wrapper = name in _CONNECTION_WRAPPERS and field_is_wrapper(parent_type)
                if not wrapper:
                    m.depth = max(m.depth, depth)
                if node.alias is not None:
                    m.aliases += 1
                field = getattr(parent_type, "fields", {}).get(name)
                field_type = get_named_type(field.type) if field else None
                size = self._list_size(node, field, field_type)
                if size is not None:
                    m.cost += multiplier * size
                if node.selection_set:
                    child_depth = depth if wrapper else depth + 1
                    self.walk(
                        field_type, node.selection_set, child_depth, multiplier * (size or 1), seen
                    )
            elif isinstance(node, InlineFragmentNode):
                self.walk(
                    self._type(node.type_condition, parent_type),
                    node.selection_set,
                    depth,
                    multiplier,
                    seen,
                )
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    fragment_type = self._type(fragment.type_condition, parent_type)
                    self.walk(
                        fragment_type, fragment.selection_set, depth, multiplier, seen | {name}
                    )

    def _type(self, type_condition, default):
        if type_condition is None:
            return default
        return self.schema.get_type(type_condition.name.value) or default

    def _list_size(self, node: FieldNode, field, field_type) -> int | None:
        """How many items the field can return, if it is a list or a connection."""
        if field is None or field_type is None:
            return None
        args = {a.name.value: a.value for a in node.arguments or ()}
        if field_type.name.endswith("Connection"):
            sizes = [self._int(args[a], None) for a in PAGE_ARGUMENTS if a in args]
            sizes = [s for s in sizes if s is not None]
            return max(sizes) if sizes else self.limits.page_size_cap
        if "first" in field.args and is_list_type(get_nullable_type(field.type)):
            # A plain list with its own size argument (search).
            default = field.args["first"].default_value
            if not isinstance(default, int):
                default = self.limits.page_size_cap
            return self._int(args.get("first"), default)
        return None

    def _int(self, value_node, default):
        if value_node is None:
            return default
        value = (
            self.variables.get(value_node.name.value)
            if isinstance(value_node, VariableNode)
            else value_from_ast_untyped(value_node)
        )
        if isinstance(value, int) and value >= 0:
            return min(value, self.limits.page_size_cap)
        return default
