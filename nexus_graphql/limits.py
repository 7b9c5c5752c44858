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


# (measure, limit, code, message without its full stop): the structural limits, in order.
_SHAPE_LIMITS = (
    ("depth", "max_depth", "QUERY_TOO_DEEP", "Query depth {n} exceeds the limit of {limit}"),
    (
        "nesting",
        "max_nesting",
        "QUERY_TOO_DEEP",
        "Selections nest {n} levels (fragments included); the limit is {limit}",
    ),
    ("aliases", "max_aliases", "QUERY_TOO_COMPLEX", "Query uses {n} aliases; the limit is {limit}"),
    ("fields", "max_fields", "QUERY_TOO_COMPLEX", "Query selects {n} fields; the limit is {limit}"),
    (
        "overlap",
        "max_same_name",
        "QUERY_TOO_COMPLEX",
        "One selection asks for the same field {n} times; the limit is {limit}",
    ),
    (
        "spreads",
        "max_spreads",
        "QUERY_TOO_COMPLEX",
        "One selection spreads {n} fragments; the limit is {limit}",
    ),
    (
        "directives",
        "max_directives",
        "QUERY_TOO_COMPLEX",
        "Query uses {n} directives; the limit is {limit}",
    ),
)


def _check_shape(measure: Measure, limits: QueryLimits, *, depth: bool = True) -> None:
    for attribute, limit_name, code, message in _SHAPE_LIMITS:
        if attribute == "depth" and not depth:
            continue
        n, limit = getattr(measure, attribute), getattr(limits, limit_name)
        if n > limit:
            raise QueryLimitExceeded(code, message.format(n=n, limit=limit) + ".")
