"""Every element of the served schema documents itself: a generated walk, not a list.

The walk covers every named type reachable from the executable schema (graphene's
GraphQLSchema, the one the view serves): object and interface types with their fields and
arguments, unions, input types with their fields, enums with their values, and custom
scalars. Only the introspection types (`__*`) and graphql-core's built-in scalars and
directives are skipped. A new field, argument or enum value without a description fails
this test, naming it.
"""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    specified_scalar_types,
)

from schema.schema import schema as served_schema

# graphql-core's placeholder when @deprecated has no reason: not a reason.
DEFAULT_DEPRECATION = "No longer supported"


def _described(element) -> bool:
    return bool((element.description or "").strip())


def _deprecation_problem(path: str, element) -> list[str]:
    reason = getattr(element, "deprecation_reason", None)
    if reason is None:
        return []
    if not reason.strip() or reason.strip() == DEFAULT_DEPRECATION:
        return [f"{path} (deprecated without a reason)"]
    return []


def undocumented(schema: GraphQLSchema) -> list[str]:
    """Path of every type, field, argument, input field and enum value without a
    description, and of every deprecated one without a reason, in schema order."""
    missing: list[str] = []

    def check(path: str, element) -> None:
        if not _described(element):
            missing.append(path)
        missing.extend(_deprecation_problem(path, element))

    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        check(name, type_)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field)
                # graphene falls back to a mutation's payload description for its field.
                if (
                    field.description
                    and field.description == get_named_type(field.type).description
                ):
                    missing.append(f"{name}.{field_name} (only its type's description)")
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name}:)", arg)
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                check(f"{name}.{value_name}", value)
    return missing


def test_every_schema_element_has_a_description():
    missing = undocumented(served_schema.graphql_schema)

    assert not missing, f"{len(missing)} schema elements lack a description:\n" + "\n".join(missing)


def test_the_walk_reports_each_kind_of_undocumented_element():
    schema = build_schema(
        """
        "Described."
        type Query {
          "Described."
          a(x: Int): Int
          b: Color @deprecated
          c(input: Filter): Pet
          "Described."
          d: Query
        }
        enum Color { "Red." RED GREEN }
        input Filter { size: Int }
        union Pet = Query
        scalar Moment
        """
    )

    assert undocumented(schema) == [
        "Query.a(x:)",
        "Query.b",
        "Query.b (deprecated without a reason)",
        "Query.c",
        "Query.c(input:)",
        "Query.d (only its type's description)",
        "Color",
        "Color.GREEN",
        "Filter",
        "Filter.size",
        "Pet",
        "Moment",
    ]


def test_a_described_schema_passes_the_walk():
    # Built-in scalars (String, Int) and directives (@deprecated) need no description.
    schema = build_schema(
        """
        "Root."
        type Query {
          "Old; use b."
          a: String @deprecated(reason: "Use `b`.")
          "New."
          b(
            "A number."
            n: Int
          ): String
        }
        """
    )

    assert undocumented(schema) == []
