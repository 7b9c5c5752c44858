"""The one walk over documents (schema.core.walk): linear, and the same for every reader."""

import pytest
from graphql import parse

from nexus_graphql.documents import documents
from schema.core.walk import (
    Measurer,
    dependency_order,
    expand,
    fragments_of,
    is_connection_wrapper,
    operations_of,
)


@pytest.fixture(scope="module")
def schema():
    return documents.schema


def chain(length: int, spreads_per_fragment: int = 2) -> str:
    """F0 spreads F1 (twice, in two aliased fields), F1 spreads F2, ... F<length> is a leaf."""
    fragments = []
    for i in range(length):
        fields = " ".join(f"a{k}: ofType {{ ...F{i + 1} }}" for k in range(spreads_per_fragment))
        fragments.append(f"fragment F{i} on __Type {{ {fields} }}")
    fragments.append(f"fragment F{length} on __Type {{ name }}")
    return '{ __type(name: "Query") { ...F0 } }\n' + "\n".join(fragments)


def test_each_fragment_is_measured_once_however_often_it_is_spread(schema, monkeypatch):
    document = parse(chain(40))
    measurer = Measurer(schema, document)
    calls = []
    measure_set = measurer.selection_set
    monkeypatch.setattr(
        measurer, "selection_set", lambda *args: calls.append(1) or measure_set(*args)
    )

    measure = measurer.operation(operations_of(document)[0])

    # 2^40 fields as executed, counted exactly; each selection set walked once.
    assert measure.fields == 1 + sum(2**k for k in range(1, 41)) + 2**40
    assert len(calls) < 4 * 42


def test_a_fragment_chain_of_any_length_costs_no_stack(schema):
    document = parse(chain(3_000, spreads_per_fragment=1), max_tokens=100_000)

    measure = Measurer(schema, document).operation(operations_of(document)[0])
    fields = list(expand(schema, None, [document.definitions[0].selection_set], {}))

    assert measure.nesting > 3_000
    assert len(fields) == 1


def test_cycles_are_broken_not_followed(schema):
    document = parse(
        """
        { ...A }
        fragment A on Query { ...B hubStats { challenges } }
        fragment B on Query { ...A __typename }
        """
    )
    fragments = fragments_of(document)

    assert sorted(dependency_order(fragments)) == ["A", "B"]
    names = [
        node.name.value
        for node, _ in expand(schema, None, [document.definitions[0].selection_set], fragments)
    ]
    assert names == ["__typename", "hubStats"]  # B inlined where A spreads it, A not again


def test_a_fragment_spread_twice_in_one_selection_is_inlined_once(schema):
    document = parse(
        "{ ...F ... on Query { ...F } }\nfragment F on Query { hubStats { projects } }"
    )

    fields = list(
        expand(
            schema,
            schema.query_type,
            [document.definitions[0].selection_set],
            fragments_of(document),
        )
    )

    assert [node.name.value for node, _ in fields] == ["hubStats"]


def test_only_connection_edges_and_edge_nodes_are_plumbing(schema):
    """Every `edges`/`node` field of the schema, classified by its type, not its name."""
    seen = []
    for graphql_type in schema.type_map.values():
        for name in ("edges", "node"):
            if name in getattr(graphql_type, "fields", {}) and not graphql_type.name.startswith(
                "__"
            ):
                expected = graphql_type.name.endswith("Connection" if name == "edges" else "Edge")
                assert is_connection_wrapper(graphql_type, name) is expected, graphql_type.name
                seen.append((graphql_type.name, name, expected))

    # Query.node and the moderate payload's node are data, not plumbing.
    assert ("Query", "node", False) in seen
    assert any(kind == "node" and not wrapper and t != "Query" for t, kind, wrapper in seen)
    assert any(wrapper for _, _, wrapper in seen)


def test_introspection_is_charged_for_what_it_returns(schema):
    document = parse("{ __schema { types { fields { args { name } } } } }")

    measure = Measurer(schema, document).operation(operations_of(document)[0])

    types = len(schema.type_map)
    assert measure.cost > types * 10
    assert measure.fields == 5
