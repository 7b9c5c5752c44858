"""Query limits: what one request may ask for, checked before anything runs.

Two checks, both one linear walk (schema.core.walk):
- `check_document`, before validation and cached with the document: every
  operation and fragment of the document within the depth, field, alias and
  directive limits. graphql-core's validation is not linear in every shape (it
  compares fields pairwise), so it only ever sees documents this small.
- `check_operation`, per request: the operation to run within the cost limit,
  whose page sizes may come from variables.

Depth counts levels of objects (a connection's `edges { node }` add none), so
`challenges { edges { node { author { username } } } }` is 3 deep. Cost follows
GitHub: the nodes the query could return, `first`/`last` (or the 100-item page
cap) multiplied down nested lists; introspection lists count by the longest
list this schema has. `__schema`, `__type` and `__typename` are fields like any
other; the levels inside introspection types add no depth (the standard
introspection query nests `ofType` eight deep), the field and cost limits bound them.
"""

from dataclasses import dataclass

from graphql import GraphQLError, OperationDefinitionNode

from schema.core.walk import Measure, Measurer, fragments_of, operations_of


@dataclass(frozen=True)
class QueryLimits:
    max_depth: int = 10
    max_cost: int = 500_000
    max_aliases: int = 30
    max_fields: int = 500
    max_directives: int = 50
    max_nesting: int = 50
    max_same_name: int = 20
    max_spreads: int = 30
    page_size_cap: int = 100


class QueryLimitExceeded(GraphQLError):
    def __init__(self, code: str, message: str):
        super().__init__(message, extensions={"code": code})
        self.code = code


def check_document(schema, document, limits: QueryLimits) -> None:
    """Raise QueryLimitExceeded if any definition of the document is over a structural limit."""
    measurer = Measurer(
        schema,
        document,
        page_size_cap=limits.page_size_cap,
        # Depth is checked on whole operations only, so its message gives the exact figure.
        check=lambda measure: _check_shape(measure, limits, depth=False),
    )
    for operation in operations_of(document):
        _check_shape(measurer.operation(operation), limits)
    for name in fragments_of(document):  # unused ones too: validation reads them all
        measurer.fragment(name)


def check_operation(
    schema, document, operation: OperationDefinitionNode, variables, limits: QueryLimits
) -> Measure:
    """The operation's measure with these variables; QueryLimitExceeded if over the cost limit."""
    measurer = Measurer(schema, document, variables, page_size_cap=limits.page_size_cap)
    measure = measurer.operation(operation)
    _check_shape(measure, limits)
    if measure.cost > limits.max_cost:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"Query could return {measure.cost} nodes; the limit is {limits.max_cost} "
            "(cost = first/last multiplied down nested lists).",
        )
    return measure


def _check_shape(measure: Measure, limits: QueryLimits, *, depth: bool = True) -> None:
    if depth and measure.depth > limits.max_depth:
        raise QueryLimitExceeded(
            "QUERY_TOO_DEEP",
            f"Query depth {measure.depth} exceeds the limit of {limits.max_depth}.",
        )
    if measure.nesting > limits.max_nesting:
        raise QueryLimitExceeded(
            "QUERY_TOO_DEEP",
            f"Selections nest {measure.nesting} levels (fragments included); "
            f"the limit is {limits.max_nesting}.",
        )
    if measure.aliases > limits.max_aliases:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"Query uses {measure.aliases} aliases; the limit is {limits.max_aliases}.",
        )
    if measure.fields > limits.max_fields:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"Query selects {measure.fields} fields; the limit is {limits.max_fields}.",
        )
    if measure.overlap > limits.max_same_name:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"One selection asks for the same field {measure.overlap} times; "
            f"the limit is {limits.max_same_name}.",
        )
    if measure.spreads > limits.max_spreads:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"One selection spreads {measure.spreads} fragments; "
            f"the limit is {limits.max_spreads}.",
        )
    if measure.directives > limits.max_directives:
        raise QueryLimitExceeded(
            "QUERY_TOO_COMPLEX",
            f"Query uses {measure.directives} directives; the limit is {limits.max_directives}.",
        )
