"""Parsed and validated GraphQL documents, cached by their text.

Clients send the same few documents again and again; parsing and validating
them is a large share of a small query's time. The cache is bounded (LRU) and
per process; the schema and rules are fixed for the life of the process.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from graphql import DocumentNode, GraphQLError, parse, print_ast, specified_rules, validate
from graphql.validation import NoSchemaIntrospectionCustomRule

# Documents longer than this are parsed every time rather than pinned in memory.
MAX_CACHED_DOCUMENT_CHARS = 20_000


def validation_rules() -> tuple:
    # Passing rules replaces graphql-core's standard ones: always keep those.
    rules = tuple(specified_rules)
    if not settings.GRAPHQL_INTROSPECTION:
        rules += (NoSchemaIntrospectionCustomRule,)
    return rules


@dataclass(frozen=True)
class Document:
    ast: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    # sha256 of the canonical printed form: equal for documents that differ only in layout.
    fingerprint: str = ""


class DocumentCache:
    def __init__(self, schema, size: int):
        self.schema = schema
        self._cached = lru_cache(maxsize=size)(self._parse_and_validate)

    def get(self, query: str) -> Document:
        if len(query) > MAX_CACHED_DOCUMENT_CHARS:
            return self._parse_and_validate(query)
        return self._cached(query)

    def _parse_and_validate(self, query: str):
        try:
            ast = parse(query)
        except GraphQLError as error:
            return Document(None, (error,))
        errors = validate(self.schema, ast, validation_rules(), max_errors=20)
        if errors:
            return Document(ast, tuple(errors))
        fingerprint = hashlib.sha256(print_ast(ast).encode()).hexdigest()
        return Document(ast, (), fingerprint)

    def clear(self):
        self._cached.cache_clear()
