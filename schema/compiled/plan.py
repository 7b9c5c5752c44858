"""Plans of operations the compiled read path can answer, and their execution.

What is planned today (everything else is the reference path's): query operations
whose root fields are the browsing lists (`schema.core.lists.list_field`) and by-slug
lookups (`slug_field`) of the listed kinds, selecting `__typename`, the Relay `id`, and
scalar fields read by graphene's default resolver from a concrete model column; on a
list also `totalCount`, `edges { cursor node }` and `pageInfo`. A plan is built once per
(document, operation name, values of its Boolean variables — all @include/@skip can
read) and kept in a bounded cache.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace

from graphene.relay.node import GlobalID
from graphene.types.resolver import attr_resolver, dict_or_attr_resolver
from graphene.utils.str_converters import to_camel_case
from graphene_django import DjangoObjectType
from graphql import (
    GraphQLNonNull,
    OperationType,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import collect_fields, collect_sub_fields
from graphql.execution.values import get_argument_values

from hub.selectors import ordering_of
from hub.selectors.rows import get_values_by_slug, page_values
from nexus_graphql.execution import ExecutionAborted
from schema.core.connection import page_arguments
from schema.core.cursors import encode_cursor
from schema.core.enums import enum_value
from schema.core.lists import PAGE_ARGUMENTS
from schema.core.types import Node

_DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver)
PLAN_CACHE_SIZE = 512
# Field kinds of a plan.
TYPENAME, GLOBAL_ID, COLUMN, OBJECT = "typename", "id", "column", "object"


class Unplanned(Exception):
    """This operation (or this run of it) goes to the reference path."""


@dataclass(frozen=True)
class Leaf:
    response_name: str
    kind: str
    column: str | None = None
    serialize: object = None
    nullable: bool = True


@dataclass(frozen=True)
class ObjectPlan:
    """The selection of one object of a model type: its leaves, in response order."""

    type_name: str
    fields: tuple[Leaf, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(leaf.column for leaf in self.fields if leaf.kind == COLUMN)

    def build(self, row: dict, budget) -> dict:
        budget.charge(len(self.fields))
        result = {}
        for leaf in self.fields:
            if leaf.kind == TYPENAME:
                result[leaf.response_name] = self.type_name
            elif leaf.kind == GLOBAL_ID:
                result[leaf.response_name] = Node.to_global_id(self.type_name, row["id"])
            else:
                value = row[leaf.column]
                if value is None:
                    if not leaf.nullable:
                        raise Unplanned("a null where the schema forbids one")
                    result[leaf.response_name] = None
                else:
                    result[leaf.response_name] = leaf.serialize(value)
        return result


@dataclass(frozen=True)
class RootField:
    response_name: str
    field_name: str
    model: type
    field_def: object
    field_node: object
    shape: str  # "list" or "slug"
    node: ObjectPlan
    # Lists: the connection's selection as (response_name, what, sub-selection) triples.
    connection: tuple = ()
    max_limit: int | None = None


class _Planner:
    def __init__(self, schema, document, operation, variables):
        self.schema, self.variables = schema, variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if definition.kind == "fragment_definition"
        }

    def sub_fields(self, graphql_type, field_nodes):
        return collect_sub_fields(
            self.schema, self.fragments, self.variables, graphql_type, field_nodes
        )

    def object_plan(self, object_type, field_nodes) -> ObjectPlan:
        model = _model_of(object_type)
        if model is None:
            raise Unplanned(f"{object_type.name} is not a model type")
        leaves = []
        for response_name, nodes in self.sub_fields(object_type, field_nodes).items():
            name = nodes[0].name.value
            if name == "__typename":
                leaves.append(Leaf(response_name, TYPENAME))
                continue
            field = object_type.fields[name]
            if nodes[0].arguments or field.args:
                raise Unplanned(f"{object_type.name}.{name} has arguments")
            leaves.append(_leaf(object_type, model, response_name, name, field))
        return ObjectPlan(object_type.name, tuple(leaves))

    def connection_plan(self, connection_type, field_nodes):
        selection = []
        node_plan = None
        for response_name, nodes in self.sub_fields(connection_type, field_nodes).items():
            name = nodes[0].name.value
            if name in ("__typename", "totalCount"):
                selection.append((response_name, name, None))
            elif name == "pageInfo":
                page_info_type = get_named_type(connection_type.fields[name].type)
                sub = tuple(
                    (response, sub_nodes[0].name.value)
                    for response, sub_nodes in self.sub_fields(page_info_type, nodes).items()
                )
                selection.append((response_name, name, sub))
            elif name == "edges":
                edge_type = get_named_type(connection_type.fields[name].type)
                edge = []
                for edge_response, edge_nodes in self.sub_fields(edge_type, nodes).items():
                    edge_name = edge_nodes[0].name.value
                    if edge_name == "node":
                        node_type = get_named_type(edge_type.fields["node"].type)
                        plan = self.object_plan(node_type, edge_nodes)
                        if node_plan is not None and node_plan != plan:
                            raise Unplanned("two different node selections")
                        node_plan = plan
                    elif edge_name not in ("__typename", "cursor"):
                        raise Unplanned(f"edge field {edge_name}")
                    edge.append((edge_response, edge_name))
                selection.append((response_name, name, tuple(edge)))
            else:
                raise Unplanned(f"connection field {name}")
        node_type = get_named_type(
            get_named_type(connection_type.fields["edges"].type).fields["node"].type
        )
        return tuple(selection), node_plan or ObjectPlan(node_type.name, ())


def _model_of(graphql_type):
    graphene_type = getattr(graphql_type, "graphene_type", None)
    if not (isinstance(graphene_type, type) and issubclass(graphene_type, DjangoObjectType)):
        return None
    return graphene_type._meta.model


def _leaf(object_type, model, response_name: str, name: str, field) -> Leaf:
    resolve = field.resolve
    inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    nullable = not isinstance(field.type, GraphQLNonNull)
    column = getattr(resolve, "reads_column", None)  # schema.core.enums.enum_field
    if column is not None and is_leaf_type(inner):
        return _column_leaf(object_type, model, response_name, name, column, inner, nullable)
    if not isinstance(resolve, partial):
        raise Unplanned(f"{object_type.name}.{name} has its own resolver")
    if (
        resolve.func is GlobalID.id_resolver
        and resolve.args[0] is DjangoObjectType.resolve_id
        and resolve.keywords.get("parent_type_name") is None
    ):
        return Leaf(response_name, GLOBAL_ID)
    if resolve.func not in _DEFAULT_RESOLVERS or not is_leaf_type(inner):
        raise Unplanned(f"{object_type.name}.{name} is not a column")
    return _column_leaf(object_type, model, response_name, name, resolve.args[0], inner, nullable)


def _column_leaf(object_type, model, response_name, name, attname, inner, nullable) -> Leaf:
    try:
        model_field = model._meta.get_field(attname)
    except Exception:
        raise Unplanned(f"{object_type.name}.{name} is not a column") from None
    if not model_field.concrete or model_field.is_relation or model_field.attname != attname:
        raise Unplanned(f"{object_type.name}.{name} is not a column")
    return Leaf(response_name, COLUMN, attname, inner.serialize, nullable)


def _root_fields(query_type) -> dict:
    """GraphQL root field name -> the graphene field, for the planned root fields."""
    graphene_type = query_type.graphene_type
    found = {}
    for name, field in graphene_type._meta.fields.items():
        if getattr(field, "listed_model", None) or getattr(field, "slug_model", None):
            found[getattr(field, "name", None) or to_camel_case(name)] = field
    return found


_ROOTS: dict = {}


def _compile(schema, document, operation, variables) -> tuple[RootField, ...]:
    if operation.operation != OperationType.QUERY:
        raise Unplanned("not a query")
    query_type = schema.query_type
    roots = _ROOTS.get(id(query_type))
    if roots is None:
        roots = _ROOTS[id(query_type)] = _root_fields(query_type)
    planner = _Planner(schema, document, operation, variables)
    fields = collect_fields(
        schema, planner.fragments, variables, query_type, operation.selection_set
    )
    planned = []
    for response_name, nodes in fields.items():
        name = nodes[0].name.value
        graphene_field = roots.get(name)
        # Nodes merged under one response name have equal arguments: validation refuses others.
        if graphene_field is None:
            raise Unplanned(f"root field {name}")
        field_def = query_type.fields[name]
        field_type = get_named_type(field_def.type)
        if getattr(graphene_field, "listed_model", None):
            connection, node = planner.connection_plan(field_type, nodes)
            planned.append(
                RootField(
                    response_name,
                    name,
                    graphene_field.listed_model,
                    field_def,
                    nodes[0],
                    "list",
                    node,
                    connection,
                    graphene_field.max_limit,
                )
            )
        else:
            node = planner.object_plan(field_type, nodes)
            planned.append(
                RootField(
                    response_name,
                    name,
                    graphene_field.slug_model,
                    field_def,
                    nodes[0],
                    "slug",
                    node,
                )
            )
    return tuple(planned)


_PLANS: OrderedDict = OrderedDict()


def plan_for(schema, document, operation, variables: dict | None, query: str):
    """The plan of this operation (cached), or None when the reference path answers it."""
    variables = variables or {}
    directive_inputs = json.dumps(
        sorted((k, v) for k, v in variables.items() if isinstance(v, bool)),
    )
    name = operation.name.value if operation.name else None
    key = (query, name, directive_inputs)
    if key in _PLANS:
        _PLANS.move_to_end(key)
        return _PLANS[key]
    try:
        plan = _compile(schema, document, operation, variables)
    except Unplanned:
        plan = None
    _PLANS[key] = plan
    if len(_PLANS) > PLAN_CACHE_SIZE:
        _PLANS.popitem(last=False)
    return plan


def run(plan, *, schema, variables: dict | None, viewer, budget) -> dict:
    """The response's `data` for `plan`; Unplanned if this run must take the reference
    path (it would report an error, or the budget runs out: that path reports it)."""
    variables = variables or {}
    try:
        budget.charge(len(plan))
        return {
            root.response_name: _run_root(root, variables=variables, viewer=viewer, budget=budget)
            for root in plan
        }
    except (Exception, ExecutionAborted) as error:  # the reference path reports it
        raise Unplanned(str(error)) from None


def _run_root(root: RootField, *, variables, viewer, budget):
    arguments = get_argument_values(root.field_def, root.field_node, variables)
    if root.shape == "slug":
        row = get_values_by_slug(
            viewer=viewer, model=root.model, slug=arguments["slug"], columns=root.node.columns
        )
        return None if row is None else root.node.build(row, budget)
    order = enum_value(arguments.get("order_by")) or ""
    ordering = ordering_of(root.model, order or None)
    info = SimpleNamespace(parent_type=SimpleNamespace(name="Query"), field_name=root.field_name)
    paging = page_arguments(
        info, arguments, ordering=ordering, order=order, max_limit=root.max_limit
    )
    filters = {
        name: enum_value(value)
        for name, value in arguments.items()
        if name not in PAGE_ARGUMENTS and name != "order_by"
    }
    page = page_values(
        viewer=viewer,
        model=root.model,
        columns=root.node.columns,
        filters=filters,
        order_by=order or None,
        **paging,
    )
    connection_name = f"Query.{root.field_name}"
    cursors = {}

    def cursor(index: int) -> str:
        if index not in cursors:
            position = ordering.to_json(page.positions(index))
            cursors[index] = _encode(connection_name, order, position)
        return cursors[index]

    budget.charge(len(root.connection))
    result = {}
    for response_name, what, sub in root.connection:
        if what == "__typename":
            result[response_name] = (
                root.field_def.type.of_type.name
                if isinstance(root.field_def.type, GraphQLNonNull)
                else root.field_def.type.name
            )
        elif what == "totalCount":
            result[response_name] = page.total
        elif what == "pageInfo":
            result[response_name] = _page_info(sub, page, cursor, budget)
        else:
            result[response_name] = _edges(sub, root, page, cursor, budget)
    return result


def _encode(connection: str, order: str, position: list) -> str:
    return encode_cursor(connection=connection, order=order, position=position)


def _page_info(sub, page, cursor, budget) -> dict:
    budget.charge(len(sub))
    last = len(page.rows) - 1
    values = {
        "__typename": lambda: "PageInfo",
        "hasNextPage": lambda: page.has_next,
        "hasPreviousPage": lambda: page.has_previous,
        "startCursor": lambda: cursor(0) if page.rows else None,
        "endCursor": lambda: cursor(last) if page.rows else None,
    }
    return {response_name: values[name]() for response_name, name in sub}


def _edges(sub, root, page, cursor, budget) -> list:
    edge_type_name = get_named_type(get_named_type(root.field_def.type).fields["edges"].type).name
    edges = []
    for index, row in enumerate(page.rows):
        budget.charge(len(sub))
        edge = {}
        for response_name, name in sub:
            if name == "__typename":
                edge[response_name] = edge_type_name
            elif name == "cursor":
                edge[response_name] = cursor(index)
            else:
                edge[response_name] = root.node.build(row, budget)
        edges.append(edge)
    return edges
