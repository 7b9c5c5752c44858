"""Parsed, limit-checked and validated GraphQL documents, cached by their text.

Clients send the same few documents again and again; parsing and validating
them is a large share of a small query's time. The cache is bounded (LRU) and
per process. Each step is bounded before the next one runs: the parser stops
at GRAPHQL_MAX_TOKENS tokens, the structural limits (one linear walk) come
before validation, and validation only ever sees documents within them.
"""

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from graphql import DocumentNode, GraphQLError, parse, print_ast, specified_rules, validate
from graphql.error import GraphQLSyntaxError
from graphql.validation import NoSchemaIntrospectionCustomRule

from nexus_graphql.limits import QueryLimitExceeded, QueryLimits, check_document

# Documents longer than this are parsed every time rather than pinned in memory.
MAX_CACHED_DOCUMENT_CHARS = 20_000
# graphql-core's parser stops on its own at a token limit and at deep nesting.
_TOKENS_ABORTED = "tokens. Parsing aborted."
_NESTING_ABORTED = "nested too deeply. Parsing aborted."


@dataclass(frozen=True)
class Document:
    ast: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    # sha256 of the canonical printed form: equal for documents that differ only in layout.
    fingerprint: str = ""
    # What is worked out once per document and operation (nexus_graphql.response_cache).
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def query_limits() -> QueryLimits:
    return QueryLimits(**settings.GRAPHQL_QUERY_LIMITS)


class DocumentCache:
    def __init__(self, size: int):
        self._cached = lru_cache(maxsize=size)(self._prepare)
        self._schema = None

    @property
    def schema(self):
        if self._schema is None:
            from graphene_django.settings import graphene_settings

            self._schema = graphene_settings.SCHEMA.graphql_schema
        return self._schema

    def get(self, query: str) -> Document:
        # Everything the answer depends on is in the key, so a settings change is seen.
        key = (query, query_limits(), settings.GRAPHQL_INTROSPECTION, settings.GRAPHQL_MAX_TOKENS)
        if len(query) > MAX_CACHED_DOCUMENT_CHARS:
            return self._prepare(*key)
        return self._cached(*key)

    def _prepare(self, query: str, limits: QueryLimits, introspection: bool, max_tokens: int):
        try:
            ast = parse(query, no_location=False, max_tokens=max_tokens)
        except GraphQLSyntaxError as error:
            if error.message.endswith(_TOKENS_ABORTED):
                error = QueryLimitExceeded(
                    "QUERY_TOO_COMPLEX",
                    f"The document has more than {max_tokens} tokens; that is the limit.",
                )
            elif error.message.endswith(_NESTING_ABORTED):
                error = _too_deep()
            return Document(None, (error,))
        except RecursionError:  # nesting deeper than the parser can follow
            return Document(None, (_too_deep(),))
        try:
            check_document(self.schema, ast, limits)
        except QueryLimitExceeded as error:
            return Document(ast, (error,))
        try:
            errors = validate(self.schema, ast, _validation_rules(introspection), max_errors=20)
        except RecursionError:  # argument values nested deeper than validation follows
            return Document(ast, (_too_deep(),))
        if errors:
            return Document(ast, tuple(errors))
        fingerprint = hashlib.sha256(print_ast(ast).encode()).hexdigest()
        return Document(ast, (), fingerprint)

    def clear(self):
        self._cached.cache_clear()


def _too_deep() -> QueryLimitExceeded:
    return QueryLimitExceeded("QUERY_TOO_DEEP", "The document nests deeper than it may.")


def _validation_rules(introspection: bool) -> tuple:
    # Passing rules replaces graphql-core's standard ones: always keep those.
    rules = tuple(specified_rules)
    if not introspection:
        rules += (NoSchemaIntrospectionCustomRule,)
    return rules


documents = DocumentCache(settings.GRAPHQL_DOCUMENT_CACHE_SIZE)
