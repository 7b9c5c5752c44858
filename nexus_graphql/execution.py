"""A leaner graphql-core execution for this (fully synchronous) schema.

graphql-core builds a resolve-info object, reads arguments, wraps the resolver
and checks for awaitables for every field of every object: many thousands of
times for one list page, and most of those fields are plain attribute reads.
This context keeps graphql-core's results and error semantics and takes a
shortcut only where nothing can differ: a field without arguments whose
resolver is graphene's default attribute read (or the Relay `id` of a model
type), returning a scalar, an enum, an object type or a list of object types.
Its value is read directly; objects go straight to their sub-selection.
Anything else, a value the shortcut cannot serialize, or a null where the
schema forbids one, takes graphql-core's normal path, so the same errors come
out at the same paths. Not checked on the shortcut: `is_type_of` of concrete
object types (the value comes from an attribute of the parent model).
"""

import math
import time
from dataclasses import dataclass, field
from functools import lru_cache, partial

from django.conf import settings
from graphene.relay.node import GlobalID
from graphene.types.resolver import attr_resolver, dict_or_attr_resolver
from graphene_django import DjangoObjectType
from graphql import (
    ExecutionContext,
    ExecutionResult,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    execute,
    is_leaf_type,
    located_error,
)
from graphql.pyutils import Path

_DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver)
LEAF, OBJECT, OBJECT_LIST = "leaf", "object", "object list"


@dataclass(frozen=True)
class Shortcut:
    kind: str
    read: object  # source -> raw value
    field_type: object  # the declared type, NonNull included
    nullable: bool
    named_type: object  # the scalar/enum or object type (of the items, for lists)
    item_nullable: bool = True


def _attribute_reader(attname: str, default):
    return lambda source: getattr(source, attname, default)


def _global_id_reader(node, type_name: str):
    return lambda source: node.to_global_id(type_name, source.pk)


def _reader(parent_type, resolve):
    """A function reading the field's raw value from its source, if it is that simple."""
    if not isinstance(resolve, partial):
        return None
    if resolve.func in _DEFAULT_RESOLVERS:
        return _attribute_reader(*resolve.args)
    if (
        resolve.func is GlobalID.id_resolver
        and resolve.args[0] is DjangoObjectType.resolve_id
        and resolve.keywords.get("parent_type_name") is None
    ):
        return _global_id_reader(resolve.args[1], parent_type.name)
    return None


def _unwrap(field_type):
    if isinstance(field_type, GraphQLNonNull):
        return field_type.of_type, False
    return field_type, True


@lru_cache(maxsize=4096)
def _shortcut(parent_type, field_name: str) -> Shortcut | None:
    field = parent_type.fields.get(field_name)
    if field is None or field.args:
        return None
    read = _reader(parent_type, field.resolve)
    if read is None:
        return None
    inner, nullable = _unwrap(field.type)
    if is_leaf_type(inner):
        return Shortcut(LEAF, read, field.type, nullable, inner)
    if isinstance(inner, GraphQLObjectType):
        return Shortcut(OBJECT, read, field.type, nullable, inner)
    if isinstance(inner, GraphQLList):
        item, item_nullable = _unwrap(inner.of_type)
        if isinstance(item, GraphQLObjectType):
            return Shortcut(OBJECT_LIST, read, field.type, nullable, item, item_nullable)
    return None


class ExecutionAborted(BaseException):
    """Stops an execution at once. A BaseException, because graphql-core turns every
    Exception of a resolver into an error entry and carries on with the next field."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Budget:
    """What one execution may spend: a deadline and a number of fields in the response.

    Charged once per object completed (its selected fields), so the check costs one
    clock read per object, not per field; a single resolver is not interrupted, which
    is why every resolver's own work is bounded (page caps, statement_timeout).
    """

    seconds: float = math.inf
    max_fields: float = math.inf
    deadline: float = field(init=False)
    fields: int = field(init=False, default=0)

    def __post_init__(self):
        self.deadline = time.monotonic() + self.seconds

    def charge(self, fields: int) -> None:
        self.fields += fields
        if self.fields > self.max_fields:
            raise ExecutionAborted(
                "RESPONSE_TOO_LARGE",
                f"The response would have more than {self.max_fields} fields; ask for less "
                "(smaller pages, fewer nested lists).",
            )
        if time.monotonic() > self.deadline:
            raise ExecutionAborted(
                "TIMEOUT",
                f"The request ran past its budget of {self.seconds:g} s and was stopped; "
                "ask for less. Writes that had completed are kept.",
            )


UNBOUNDED = Budget()


class BudgetedExecutionContext(ExecutionContext):
    """graphql-core's execution, charged to the request's Budget (`context.graphql_budget`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = getattr(self.context_value, "graphql_budget", None) or UNBOUNDED

    def execute_fields(self, parent_type, source_value, path, fields):
        self.budget.charge(len(fields))
        return super().execute_fields(parent_type, source_value, path, fields)


class LeanExecutionContext(BudgetedExecutionContext):
    # Every resolver here is synchronous: nothing is ever awaitable.
    is_awaitable = staticmethod(lambda value: False)

    def execute_fields(self, parent_type, source_value, path, fields):
        self.budget.charge(len(fields))
        results = {}
        shortcuts = self.middleware_manager is None and not isinstance(source_value, dict)
        for response_name, field_nodes in fields.items():
            plan = None
            if shortcuts and not field_nodes[0].arguments:
                plan = _shortcut(parent_type, field_nodes[0].name.value)
            if plan is not None:
                value = self._shortcut_value(
                    plan, parent_type, source_value, field_nodes, path, response_name
                )
                if value is not Undefined:
                    results[response_name] = value
                    continue
            result = self.execute_field(
                parent_type, source_value, field_nodes, Path(path, response_name, parent_type.name)
            )
            if result is not Undefined:
                results[response_name] = result
        return results

    def _shortcut_value(self, plan, parent_type, source, field_nodes, path, response_name):
        """The completed value, or Undefined to let the normal path handle the field."""
        value = plan.read(source)
        if value is None:
            return None if plan.nullable else Undefined
        if plan.kind == LEAF:
            try:
                return plan.named_type.serialize(value)
            except Exception:  # the normal path reports it
                return Undefined
        if plan.kind == OBJECT_LIST and (
            not isinstance(value, list | tuple)
            or (not plan.item_nullable and any(item is None for item in value))
        ):
            return Undefined
        field_path = Path(path, response_name, parent_type.name)
        try:
            if plan.kind == OBJECT:
                return self._object(plan.named_type, field_nodes, field_path, value)
            return self._object_list(plan, field_nodes, field_path, value)
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, field_path.as_list())
            self.handle_field_error(error, plan.field_type, field_path)
            return None

    def _object(self, object_type, field_nodes, path, value):
        subfields = self.collect_subfields(object_type, field_nodes)
        return self.execute_fields(object_type, value, path, subfields)

    def _object_list(self, plan, field_nodes, path, items):
        completed = []
        for index, item in enumerate(items):
            if item is None:
                completed.append(None)
                continue
            item_path = path.add_key(index, None)
            try:
                completed.append(self._object(plan.named_type, field_nodes, item_path, item))
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, item_path.as_list())
                item_type = (
                    plan.named_type if plan.item_nullable else GraphQLNonNull(plan.named_type)
                )
                self.handle_field_error(error, item_type, item_path)
                completed.append(None)
        return completed


def operation_budget() -> Budget:
    """What one operation (a request, or one event of a subscription) may spend."""
    return Budget(
        seconds=settings.GRAPHQL_EXECUTION_SECONDS,
        max_fields=settings.GRAPHQL_MAX_RESPONSE_FIELDS,
    )


def execute_charged(
    schema, document_ast, *, context, variables, operation_name, root_value=None
) -> ExecutionResult:
    """graphql-core's execute, charged to `context.graphql_budget` (ExecutionAborted when
    it runs out), with plain fields read directly unless GRAPHQL_LEAN_EXECUTION is off."""
    return execute(
        schema,
        document_ast,
        root_value=root_value,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        execution_context_class=LeanExecutionContext
        if settings.GRAPHQL_LEAN_EXECUTION
        else BudgetedExecutionContext,
    )
