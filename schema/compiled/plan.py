"""Plans of operations the compiled read path can answer, and their execution.

What is planned (everything else is the reference path's): query operations whose root
fields are the browsing lists (`schema.core.lists.list_field`) and by-slug lookups
(`slug_field`) of the listed kinds; on their objects, at any depth, `__typename`, the
Relay `id`, scalar and enum fields that show a model column (or a kind's
`property_columns`), to-one relations that never hide their target (the model's foreign
keys, and resolvers made by `related_object_resolver`: hub.selectors.rows.joins),
nested lists (`related_resolver` connections, many-to-many or reverse foreign keys) and
fields declared with `reads_first_of` (`viewerVote`); on every list `totalCount`,
`edges { cursor node }` and `pageInfo`. A plan is built once per (document, operation
name, values of its Boolean variables — all @include/@skip can read) and kept in a
bounded cache.

A run loads level by level: the root page in one statement (to-one relations joined
in) plus its count, then one statement per nested list for all the shown rows of its
level (their ids as one array parameter on PostgreSQL), paged per parent in Python as
the reference path pages a prefetched list. So the
statements of a request do not grow with page sizes. Then the response dicts are
built, charged to the budget per object exactly as graphql-core's execution charges it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, partial
from types import SimpleNamespace
from typing import ClassVar

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

from hub import kinds
from hub.selectors import ordering_of, page_rows
from hub.selectors.rows import (
    PARENT,
    REPLIES,
    Row,
    column_of,
    get_values_by_slug,
    joins,
    page_values,
    reads_list,
    related_values,
    thread_values,
)
from nexus_graphql.execution import ExecutionAborted
from schema.core.connection import ConnectionField, page_arguments
from schema.core.cursors import encode_cursor
from schema.core.enums import enum_value
from schema.core.lists import PAGE_ARGUMENTS
from schema.core.types import Node

_DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver)
_CONNECTION_RESOLVER = ConnectionField.connection_resolver.__func__
PLAN_CACHE_SIZE = 512
# Leaf kinds of a plan.
TYPENAME, GLOBAL_ID, COLUMN = "typename", "id", "column"


class Unplanned(Exception):
    """This operation (or this run of it) goes to the reference path."""


def _keyed(field) -> None:
    """Gives a relation field plan its `key`: where a run keeps what it loaded for it, in
    the row (one key per field plan: a comment's row is shared by every plan of its
    thread that shows it)."""
    object.__setattr__(field, "key", f"\0{id(field)}")


@dataclass(frozen=True)
class Leaf:
    response_name: str
    kind: str
    column: str | None = None
    serialize: object = None
    nullable: bool = True


@dataclass(frozen=True, eq=False)
class ToOne:
    """A to-one relation that never hides its target: joined into its row's statement."""

    response_name: str
    relation: str  # the model-side name
    target: ObjectPlan
    nullable: bool
    in_thread: bool = False  # a comment's parent, found in its thread

    kind: ClassVar[str] = "to_one"

    def __post_init__(self):
        _keyed(self)


@dataclass(frozen=True, eq=False)
class FirstOf:
    """A field showing `convert` of `column` of the first visible row of a list."""

    kind: ClassVar[str] = "first_of"

    response_name: str
    relation: str
    column: str
    convert: object
    serialize: object
    nullable: bool

    def __post_init__(self):
        _keyed(self)


@dataclass(frozen=True, eq=False)
class Connection:
    """The selection of one list: (response_name, what, sub-selection) triples."""

    type_name: str
    edge_type_name: str
    selection: tuple
    node: ObjectPlan


@dataclass(frozen=True, eq=False)
class ToMany:
    """A nested list (a connection field of a related_resolver)."""

    kind: ClassVar[str] = "to_many"

    response_name: str
    relation: str
    connection: Connection
    field_def: object
    field_node: object
    parent_type_name: str
    field_name: str
    max_limit: int | None
    enforce_first_or_last: bool
    # "list"; "thread": a kind's comment thread (its top-level comments); "replies": a
    # comment's replies, found in its thread.
    shape: str = "list"

    @cached_property
    def thread_columns(self) -> tuple[str, ...]:
        """A thread's columns: every comment plan of it shows the same rows."""
        found, pending, seen = [], [self.connection.node], set()
        while pending:
            plan = pending.pop()
            if id(plan) in seen:
                continue
            seen.add(id(plan))
            found += plan.columns
            for field in plan.fields:
                if isinstance(field, ToMany) and field.shape == "replies":
                    pending.append(field.connection.node)
                elif isinstance(field, ToOne) and field.in_thread:
                    pending.append(field.target)
        return tuple(dict.fromkeys(found))

    def __post_init__(self):
        _keyed(self)
        # Its cursors' connection, as the reference path names it.
        object.__setattr__(self, "connection_name", f"{self.parent_type_name}.{self.field_name}")


@dataclass(frozen=True, eq=False)
class ObjectPlan:
    """The selection of one object of a model type, in response order."""

    type_name: str
    model: type
    fields: tuple  # of Leaf, ToOne, ToMany, FirstOf

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """The columns (and paths through joined relations) its rows need."""
        found = [self.model._meta.pk.name]
        for field in self.fields:
            if isinstance(field, Leaf) and field.kind == COLUMN:
                found.append(field.column)
            elif isinstance(field, ToOne) and not field.in_thread:
                found += [f"{field.relation}__{column}" for column in field.target.columns]
        return tuple(dict.fromkeys(found))

    def shape(self) -> tuple:
        """What it selects, for comparing two selections of one list's node."""
        return (self.type_name, tuple(_shape(field) for field in self.fields))


def _shape(field) -> tuple:
    if isinstance(field, Leaf):
        return (field.response_name, field.kind, field.column)
    if isinstance(field, ToOne):
        return (field.response_name, field.relation, field.target.shape())
    if isinstance(field, ToMany):
        return (field.response_name, field.relation, id(field.field_node))
    return (field.response_name, field.relation, field.column)


@dataclass(frozen=True, eq=False)
class RootField:
    response_name: str
    field_name: str
    model: type
    field_def: object
    field_node: object
    shape: str  # "list" or "slug"
    node: ObjectPlan
    connection: Connection | None = None
    max_limit: int | None = None


class _Planner:
    def __init__(self, schema, document, variables):
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

    def object_plan(self, object_type, field_nodes, thread: tuple = ()) -> ObjectPlan:
        """`thread`: the fields found in the comment thread the object comes from."""
        model = _model_of(object_type)
        if model is None:
            raise Unplanned(f"{object_type.name} is not a model type")
        fields = []
        for response_name, nodes in self.sub_fields(object_type, field_nodes).items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append(Leaf(response_name, TYPENAME))
                continue
            fields.append(self.field_plan(object_type, model, response_name, nodes, thread))
        return ObjectPlan(object_type.name, model, tuple(fields))

    def field_plan(self, object_type, model, response_name, nodes, thread):
        name = nodes[0].name.value
        field = object_type.fields[name]
        shape, detail = _classify(object_type, model, name, thread)
        nullable = not isinstance(field.type, GraphQLNonNull)
        if shape in ("list", "thread", "replies"):
            relation, max_limit, enforce = detail
            inner_thread = {
                "list": (),
                "thread": kinds.of(model).relations[relation].folds,
                "replies": thread,
            }[shape]
            connection = self.connection_plan(get_named_type(field.type), nodes, inner_thread)
            return ToMany(
                response_name,
                relation,
                connection,
                field,
                nodes[0],
                object_type.name,
                name,
                max_limit,
                enforce,
                shape,
            )
        if nodes[0].arguments:
            raise Unplanned(f"{object_type.name}.{name} has arguments")
        if shape == "first_of":
            relation, column, convert = detail
            serialize = get_named_type(field.type).serialize
            return FirstOf(response_name, relation, column, convert, serialize, nullable)
        if shape in ("to_one", "parent"):
            in_thread = shape == "parent"
            target = self.object_plan(
                get_named_type(field.type), nodes, thread if in_thread else ()
            )
            return ToOne(response_name, detail, target, nullable, in_thread)
        return _leaf(object_type, model, response_name, name, field)

    def connection_plan(self, connection_type, field_nodes, thread: tuple = ()) -> Connection:
        selection = []
        node_plan = None
        edge_type = get_named_type(connection_type.fields["edges"].type)
        node_type = get_named_type(edge_type.fields["node"].type)
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
                edge = []
                for edge_response, edge_nodes in self.sub_fields(edge_type, nodes).items():
                    edge_name = edge_nodes[0].name.value
                    if edge_name == "node":
                        plan = self.object_plan(node_type, edge_nodes, thread)
                        if node_plan is not None and node_plan.shape() != plan.shape():
                            raise Unplanned("two different node selections")
                        node_plan = plan
                    elif edge_name not in ("__typename", "cursor"):
                        raise Unplanned(f"edge field {edge_name}")
                    edge.append((edge_response, edge_name))
                selection.append((response_name, name, tuple(edge)))
            else:
                raise Unplanned(f"connection field {name}")
        if node_plan is None:
            model = _model_of(node_type)
            if model is None:
                raise Unplanned(f"{node_type.name} is not a model type")
            node_plan = ObjectPlan(node_type.name, model, ())
        return Connection(connection_type.name, edge_type.name, tuple(selection), node_plan)


def _classify(object_type, model, name: str, thread: tuple = ()) -> tuple[str, object]:
    """What the planner makes of the field `name` of a model type, whatever is selected
    below it: ("list" | "thread" | "replies", (relation, max_limit,
    enforce_first_or_last)), ("first_of", (relation, column, convert)), ("to_one" |
    "parent", relation) or ("leaf", None); Unplanned if it plans none of them. `thread`:
    the relations found in the comment thread the object comes from (replies, parent)."""
    field = object_type.fields[name]
    resolve = field.resolve
    inner = get_named_type(field.type)
    relations = kinds.of(model).relations
    if _is_connection(resolve):
        resolver, _connection, _manager, _qs, max_limit, enforce = resolve.args
        relation = getattr(resolver, "related_field", None)
        described = relations.get(relation)
        if described is None or not described.many or not reads_list(model, relation):
            raise Unplanned(f"{object_type.name}.{name} is not a planned list")
        if _model_of(_node_type(inner)) is not described.target:
            raise Unplanned(f"{object_type.name}.{name} shows another model")
        shape = "replies" if relation in thread else "thread" if described.folds else "list"
        return shape, (relation, max_limit, enforce)
    if field.args:
        raise Unplanned(f"{object_type.name}.{name} has arguments")
    first_of = getattr(resolve, "first_of", None)
    if first_of is not None and is_leaf_type(inner):
        relation = first_of[0]
        if relation not in relations or not reads_list(model, relation):
            raise Unplanned(f"{object_type.name}.{name} reads no relation of its kind")
        return "first_of", first_of
    relation = getattr(resolve, "related_field", None) or _default_attname(resolve)
    described = relations.get(relation)
    if described is not None and not described.many and not is_leaf_type(inner):
        if _model_of(inner) is not described.target:
            raise Unplanned(f"{object_type.name}.{name} shows another model")
        if relation in thread:
            return "parent", relation
        if not joins(model, relation):  # its target may be hidden: the reference's
            raise Unplanned(f"{object_type.name}.{name} may point at hidden content")
        return "to_one", relation
    _leaf(object_type, model, name, name, field)  # Unplanned if it is no column
    return "leaf", None


def plans_field(object_type, name: str) -> bool:
    """Whether the planner plans the field `name` of `object_type` (with a selection
    below it that it plans): the visibility walk prunes its documents to these."""
    model = _model_of(object_type)
    if name == "__typename":
        return model is not None
    try:
        return model is not None and bool(_classify(object_type, model, name))
    except Unplanned:
        return False


def _node_type(connection_type):
    edge_type = get_named_type(connection_type.fields["edges"].type)
    return get_named_type(edge_type.fields["node"].type)


def _model_of(graphql_type):
    graphene_type = getattr(graphql_type, "graphene_type", None)
    if not (isinstance(graphene_type, type) and issubclass(graphene_type, DjangoObjectType)):
        return None
    return graphene_type._meta.model


def _is_connection(resolve) -> bool:
    """Whether it is the resolver of a ConnectionField (a list)."""
    return isinstance(resolve, partial) and (
        getattr(resolve.func, "__func__", None) is _CONNECTION_RESOLVER
    )


def _default_attname(resolve) -> str | None:
    """The attribute graphene's default resolver reads, if it is that resolver."""
    if isinstance(resolve, partial) and resolve.func in _DEFAULT_RESOLVERS:
        return resolve.args[0]
    return None


def _leaf(object_type, model, response_name: str, name: str, field) -> Leaf:
    resolve = field.resolve
    nullable = not isinstance(field.type, GraphQLNonNull)
    inner = field.type.of_type if not nullable else field.type
    if not is_leaf_type(inner):
        raise Unplanned(f"{object_type.name}.{name} is not a leaf")
    attname = getattr(resolve, "reads_column", None)  # schema.core.enums.enum_field
    if attname is None:
        if (
            isinstance(resolve, partial)
            and resolve.func is GlobalID.id_resolver
            and resolve.args[0] is DjangoObjectType.resolve_id
            and resolve.keywords.get("parent_type_name") is None
        ):
            return Leaf(response_name, GLOBAL_ID)
        attname = _default_attname(resolve)
    column = attname and column_of(model, attname)
    if column is None:
        raise Unplanned(f"{object_type.name}.{name} is not a column")
    return Leaf(response_name, COLUMN, column, inner.serialize, nullable)


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
    planner = _Planner(schema, document, variables)
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
            connection = planner.connection_plan(field_type, nodes)
            root = RootField(
                response_name,
                name,
                graphene_field.listed_model,
                field_def,
                nodes[0],
                "list",
                connection.node,
                connection,
                graphene_field.max_limit,
            )
        else:
            node = planner.object_plan(field_type, nodes)
            root = RootField(
                response_name, name, graphene_field.slug_model, field_def, nodes[0], "slug", node
            )
        planned.append(root)
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
    try:
        budget.charge(len(plan))
        execution = _Run(variables or {}, viewer, budget)
        return {root.response_name: execution.root(root) for root in plan}
    except (Exception, ExecutionAborted) as error:  # the reference path reports it
        raise Unplanned(str(error)) from None


class _Run:
    """One run of a plan: loads rows level by level, then builds the response."""

    def __init__(self, variables: dict, viewer, budget):
        self.variables, self.viewer, self.budget = variables, viewer, budget

    def root(self, root: RootField):
        arguments = get_argument_values(root.field_def, root.field_node, self.variables)
        if root.shape == "slug":
            row = get_values_by_slug(
                viewer=self.viewer,
                model=root.model,
                slug=arguments["slug"],
                columns=root.node.columns,
            )
            if row is None:
                return None
            self.load(root.node, [row])
            return self.build(root.node, row)
        order = enum_value(arguments.get("order_by")) or ""
        ordering = ordering_of(root.model, order or None)
        paging = self.paging(arguments, "Query", root.field_name, ordering, order, root.max_limit)
        filters = {
            name: enum_value(value)
            for name, value in arguments.items()
            if name not in PAGE_ARGUMENTS and name != "order_by"
        }
        page = page_values(
            viewer=self.viewer,
            model=root.model,
            columns=root.node.columns,
            filters=filters,
            order_by=order or None,
            **paging,
        )
        self.load(root.node, page.rows)
        return self.connection(root.connection, page, f"Query.{root.field_name}", order, ordering)

    @staticmethod
    def paging(arguments, parent_type_name, field_name, ordering, order, max_limit) -> dict:
        info = SimpleNamespace(
            parent_type=SimpleNamespace(name=parent_type_name), field_name=field_name
        )
        return page_arguments(info, arguments, ordering=ordering, order=order, max_limit=max_limit)

    # Loading: each relation of a level, one read for all of that level's rows.

    def load(self, plan: ObjectPlan, rows: list) -> None:
        """Reads what `plan`'s relations need for `rows`: one statement per relation."""
        if not rows:
            return
        parents = list({row["id"]: None for row in rows})
        for field in plan.fields:
            if isinstance(field, ToOne):
                self.load_to_one(field, rows)
            elif isinstance(field, ToMany):
                self.load_to_many(plan, field, rows, parents)
            elif isinstance(field, FirstOf):
                self.load_first_of(plan, field, rows, parents)

    def load_to_one(self, field: ToOne, rows: list) -> None:
        """The joined target's columns, as a row of their own (None: no target); a
        comment's parent, from its thread."""
        target = field.target
        if field.in_thread:
            for row in rows:
                row[field.key] = row[PARENT]
            self.load(target, [row[PARENT] for row in rows if row[PARENT] is not None])
            return
        prefix = f"{field.relation}__"
        columns = target.columns
        pk = columns[0]
        found = []
        for row in rows:
            if row[prefix + pk] is None:
                row[field.key] = None
                continue
            sub = row[field.key] = Row({c: row[prefix + c] for c in columns})
            found.append(sub)
        self.load(target, found)

    def load_to_many(self, plan: ObjectPlan, field: ToMany, rows: list, parents) -> None:
        arguments = get_argument_values(field.field_def, field.field_node, self.variables)
        unbounded = arguments.get("first") is None and arguments.get("last") is None
        if field.enforce_first_or_last and unbounded:
            raise Unplanned("first or last is required")
        node = field.connection.node
        ordering = ordering_of(node.model)
        paging = self.paging(
            arguments, field.parent_type_name, field.field_name, ordering, "", field.max_limit
        )
        if field.shape == "replies":
            grouped = {row["id"]: row[REPLIES] for row in rows}
        else:
            read = thread_values if field.shape == "thread" else related_values
            grouped = read(
                viewer=self.viewer,
                model=plan.model,
                relation=field.relation,
                parent_ids=parents,
                columns=field.thread_columns if field.shape == "thread" else node.columns,
            )
        shown = []
        for row in rows:
            rows_of = grouped.get(row["id"], ())
            page = row[field.key] = page_rows(rows_of, ordering=ordering, **paging)
            shown += page.rows
        self.load(node, shown)

    def load_first_of(self, plan: ObjectPlan, field: FirstOf, rows: list, parents) -> None:
        grouped = related_values(
            viewer=self.viewer,
            model=plan.model,
            relation=field.relation,
            parent_ids=parents,
            columns=(field.column,),
        )
        for row in rows:
            found = grouped.get(row["id"])
            row[field.key] = found[0][field.column] if found else None

    # Building the response, charged per object as graphql-core's execution is.

    def build(self, plan: ObjectPlan, row) -> dict:
        self.budget.charge(len(plan.fields))
        result = {}
        for field in plan.fields:
            kind = field.kind
            if kind is COLUMN:
                value = row[field.column]
                if value is not None:
                    value = field.serialize(value)
                elif not field.nullable:
                    raise Unplanned("a null where the schema forbids one")
            elif kind is GLOBAL_ID:
                value = Node.to_global_id(plan.type_name, row["id"])
            elif kind is TYPENAME:
                value = plan.type_name
            elif kind == "to_one":
                value = row[field.key]
                if value is not None:
                    value = self.build(field.target, value)
                elif not field.nullable:
                    raise Unplanned("a null where the schema forbids one")
            elif kind == "to_many":
                ordering = ordering_of(field.connection.node.model)
                value = self.connection(
                    field.connection, row[field.key], field.connection_name, "", ordering
                )
            else:
                value = field.convert(row[field.key])
                if value is not None:
                    value = field.serialize(value)
                elif not field.nullable:
                    raise Unplanned("a null where the schema forbids one")
            result[field.response_name] = value
        return result

    def connection(self, connection: Connection, page, name: str, order: str, ordering):
        cursors = {}

        def cursor(index: int) -> str:
            if index not in cursors:
                position = ordering.to_json(page.positions(index))
                cursors[index] = encode_cursor(connection=name, order=order, position=position)
            return cursors[index]

        self.budget.charge(len(connection.selection))
        result = {}
        for response_name, what, sub in connection.selection:
            if what == "__typename":
                result[response_name] = connection.type_name
            elif what == "totalCount":
                result[response_name] = page.total
            elif what == "pageInfo":
                result[response_name] = self.page_info(sub, page, cursor)
            else:
                result[response_name] = self.edges(sub, connection, page, cursor)
        return result

    def page_info(self, sub, page, cursor) -> dict:
        self.budget.charge(len(sub))
        last = len(page.rows) - 1
        values = {
            "__typename": lambda: "PageInfo",
            "hasNextPage": lambda: page.has_next,
            "hasPreviousPage": lambda: page.has_previous,
            "startCursor": lambda: cursor(0) if page.rows else None,
            "endCursor": lambda: cursor(last) if page.rows else None,
        }
        return {response_name: values[name]() for response_name, name in sub}

    def edges(self, sub, connection: Connection, page, cursor) -> list:
        edges = []
        for index, row in enumerate(page.rows):
            self.budget.charge(len(sub))
            edge = {}
            for response_name, name in sub:
                if name == "__typename":
                    edge[response_name] = connection.edge_type_name
                elif name == "cursor":
                    edge[response_name] = cursor(index)
                else:
                    edge[response_name] = self.build(connection.node, row)
            edges.append(edge)
        return edges
