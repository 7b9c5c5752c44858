"""A leaner graphql-core execution for this (fully synchronous) schema.

graphql-core builds a resolve-info object, reads arguments and checks for
awaitables for every field of every object: thousands of times for one list
page, most of them plain attribute reads of scalars. This context keeps
graphql-core's semantics and takes a shortcut only where nothing can differ:
a scalar or enum field, without arguments, on graphene's default attribute
resolver, is read and serialized directly. Anything else, and any value the
shortcut cannot serialize or a null for a non-null field, goes the normal way,
so errors come out exactly as before. Relay `id` fields of model types (the
primary key as a global id) take the same shortcut.
"""

from functools import lru_cache, partial

from graphene.relay.node import GlobalID
from graphene.types.resolver import attr_resolver, dict_or_attr_resolver
from graphene_django import DjangoObjectType
from graphql import ExecutionContext, GraphQLNonNull, Undefined, is_leaf_type
from graphql.pyutils import Path

_DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver)


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


@lru_cache(maxsize=4096)
def _leaf_plan(parent_type, field_name: str):
    """(read, serialize, nullable) for a field that can take the shortcut, else None."""
    field = parent_type.fields.get(field_name)
    if field is None or field.args:
        return None
    field_type, nullable = field.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not is_leaf_type(field_type):
        return None
    read = _reader(parent_type, field.resolve)
    return None if read is None else (read, field_type.serialize, nullable)


class LeanExecutionContext(ExecutionContext):
    # Every resolver here is synchronous: nothing is ever awaitable.
    is_awaitable = staticmethod(lambda value: False)

    def execute_fields(self, parent_type, source_value, path, fields):
        results = {}
        shortcut = self.middleware_manager is None and not isinstance(source_value, dict)
        for response_name, field_nodes in fields.items():
            if shortcut and not field_nodes[0].arguments:
                plan = _leaf_plan(parent_type, field_nodes[0].name.value)
                if plan is not None:
                    read, serialize, nullable = plan
                    value = read(source_value)
                    if value is None and nullable:
                        results[response_name] = None
                        continue
                    if value is not None:
                        try:
                            results[response_name] = serialize(value)
                            continue
                        except Exception:  # the normal path below reports it
                            pass
            result = self.execute_field(
                parent_type, source_value, field_nodes, Path(path, response_name, parent_type.name)
            )
            if result is not Undefined:
                results[response_name] = result
        return results
