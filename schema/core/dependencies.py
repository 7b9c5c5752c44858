"""Which kinds of hub data an operation's answer shows (hub.versions), from its selection.

The response cache keys an answer by the current versions of these kinds, so a
write invalidates exactly the answers that could show what it changed. Read field
by field: a field of a model's type reads that model ("Challenge"), or one of its
display-only columns ("Contributor.bio"); a relation reads the related model; a
list reads its items' model and what their visibility depends on (a solution is
visible only inside a visible challenge); an argument reads what it filters on.

Anything not understood reads EVERYTHING (every version): a new field or type is
never cached too long, only too briefly, until it is described here or by a
`model_hints` entry on its type (schema.core.selection.model_key: the model-side name,
computed column or View behind a GraphQL field).

The walk is schema.core.walk's `expand`; it runs once per validated document and
operation, and the query limits have bounded the expanded selection first.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from graphql import (
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)

from hub import kinds as hub_kinds
from hub import versions
from hub.kinds import View
from hub.models import SearchDocument
from hub.permissions import visibility_models
from schema.core.selection import model_key
from schema.core.walk import child_type, expand, fragments_of

EVERYTHING = versions.EVERYTHING
# Arguments that only page or order what the field's own model already reads.
_OWN_ARGUMENTS = frozenset(
    {"first", "last", "after", "before", "offset", "orderBy", "slug", "id", "category", "kind"}
)
# Arguments filtering on other data: the model-side kinds they read.
_ARGUMENT_READS: dict[str, frozenset[str]] = {
    "technology": frozenset({"Technology"}),
    "project": frozenset({"Project"}),
    "author": frozenset({"Contributor", "User"}),
    "username": frozenset({"User"}),
    "hasAcceptedSolution": frozenset({"Solution", "Challenge"}),
    "search": frozenset({versions.kind_of(SearchDocument)}),
    "query": frozenset({versions.kind_of(SearchDocument)}),
}


def model_of(graphql_type):
    """The Django model behind a GraphQL object type, or None."""
    graphene_type = getattr(graphql_type, "graphene_type", None)
    return getattr(getattr(graphene_type, "_meta", None), "model", None)


def item_model(graphql_type):
    """The model of a type, of a connection's or an edge's nodes; None otherwise."""
    model = model_of(graphql_type)
    if model is not None:
        return model
    fields = getattr(graphql_type, "fields", None) or {}
    if "edges" in fields and "pageInfo" in fields:
        return item_model(get_named_type(fields["edges"].type))
    if "node" in fields and "cursor" in fields:
        return model_of(get_named_type(fields["node"].type))
    return None


def _is_plumbing(graphql_type) -> bool:
    """A connection, an edge or Relay's PageInfo: they show the list, not other data."""
    if getattr(graphql_type, "name", None) == "PageInfo":
        return True
    fields = getattr(graphql_type, "fields", None) or {}
    return ("edges" in fields and "pageInfo" in fields) or ("node" in fields and "cursor" in fields)


def _rows_of(model) -> set[str]:
    """Which rows of `model` exist and are visible."""
    return {versions.kind_of(m) for m in visibility_models(model)}


def operation_reads(
    schema: GraphQLSchema, document, operation: OperationDefinitionNode
) -> frozenset[str]:
    kinds: set[str] = set()
    root = schema.get_root_type(operation.operation)
    _walk(schema, root, [operation.selection_set], fragments_of(document), kinds)
    return frozenset({EVERYTHING}) if EVERYTHING in kinds else frozenset(kinds)


def _walk(schema, parent_type, selection_sets, fragments, kinds: set[str]) -> None:
    for node, on_type in expand(schema, parent_type, selection_sets, fragments):
        name = node.name.value
        if name.startswith("__"):  # __typename, introspection: the schema, not data
            continue
        if EVERYTHING in kinds:
            return
        kinds |= _field_reads(schema, on_type, name)
        for argument in node.arguments:
            kinds |= _argument_reads(argument.name.value)
        target = child_type(on_type, name)
        if target is None:
            kinds.add(EVERYTHING)  # unknown (the document was validated: cannot happen)
            continue
        model = item_model(target)
        if model is not None:
            kinds |= _rows_of(model)
        if node.selection_set is not None:
            _walk(schema, target, [node.selection_set], fragments, kinds)
        elif is_leaf_type(target) and model_of(on_type) is None and not _is_plumbing(on_type):
            # A value computed outside any type we know (hubDocument, hubStats counts).
            kinds.add(EVERYTHING)


def _field_reads(schema, on_type, name: str) -> set[str]:
    if is_abstract_type(on_type):
        # Selected on an interface or union: whichever type the row turns out to be.
        models = [model_of(t) for t in schema.get_possible_types(on_type)]
        if not models or None in models:
            return {EVERYTHING}
        return set().union(*(_rows_of(m) for m in models))
    model = model_of(on_type)
    if model is None:
        # The root types and connections' plumbing read nothing themselves; any other
        # object type (statistics, payloads) is not described field by field.
        if on_type in (schema.query_type, schema.mutation_type) or _is_plumbing(on_type):
            return set()
        return {EVERYTHING}
    source = model_key(on_type, name)
    if isinstance(source, View):
        source = source.relation
    annotation = hub_kinds.of(model).annotations.get(source)
    if annotation is not None:
        source = annotation.reads
    try:
        field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return {EVERYTHING}
    if field.is_relation and field.related_model is None:
        # A generic relation (a flag's target): the target's own type is walked below.
        return _rows_of(model)
    if field.is_relation:
        return _rows_of(model) | _rows_of(field.related_model)
    return versions.kinds_read(model, field.name)


def _argument_reads(name: str) -> frozenset[str]:
    if name in _OWN_ARGUMENTS:
        return frozenset()
    return _ARGUMENT_READS.get(name, frozenset({EVERYTHING}))
