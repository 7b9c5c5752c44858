"""A leaner graphql-core execution for this (fully synchronous) schema.

graphql-core builds a resolve-info object, reads arguments and checks for
awaitables for every field of every object: thousands of times for one list
page, most of them plain attribute reads of scalars. This context keeps
graphql-core's semantics and takes a shortcut only where nothing can differ:
a scalar or enum field, without arguments, on graphene's default attribute
resolver, is read and serialized directly. Anything else, and any value the
shortcut cannot serialize or a null for a non-null field, goes the normal way,
so errors come out exactly as before.
"""

from functools import lru_cache, partial

from graphene.types.resolver import attr_resolver, dict_or_attr_resolver
from graphql import ExecutionContext, GraphQLNonNull, Undefined, is_leaf_type
from graphql.pyutils import Path

_DEFAULT_RESOLVERS = (dict_or_attr_resolver, attr_resolver)


@lru_cache(maxsize=4096)
def _leaf_plan(parent_type, field_name: str):
    """(attribute name, default, serialize, nullable) for a shortcut-able field, else None."""
    field = parent_type.fields.get(field_name)
    if field is None or field.args:
        return None
    resolve = field.resolve
    if not (isinstance(resolve, partial) and resolve.func in _DEFAULT_RESOLVERS):
        return None
    field_type, nullable = field.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not is_leaf_type(field_type):
        return None
    attname, default = resolve.args
    return attname, default, field_type.serialize, nullable


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
                    attname, default, serialize, nullable = plan
                    value = getattr(source_value, attname, default)
                    if value is None and nullable:
                        results[response_name] = None
                        continue
                    if value is not None:
                        try:
                            results[response_name] = serialize(value)
                            continue
                        except Exception:  # noqa: BLE001 (the normal path reports it)
                            pass
            result = self.execute_field(
                parent_type, source_value, field_nodes, Path(path, response_name, parent_type.name)
            )
            if result is not Undefined:
                results[response_name] = result
        return results
