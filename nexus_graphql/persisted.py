"""Persisted operations: Apollo's automatic persisted queries and the trusted-documents mode.

Automatic persisted queries (APQ), Apollo's protocol: a request may carry
`extensions.persistedQuery = {"version": 1, "sha256Hash": "<64 hex digits>"}`.
- A hash without a document runs the document stored under it; an unknown hash
  answers `PersistedQueryNotFound` (`PERSISTED_QUERY_NOT_FOUND`), and the client
  sends the document with its hash.
- A hash with a document: the hash must be sha256 of the document's exact text
  (else a 400, nothing stored); the document runs and, once it has parsed and
  validated, is stored under its hash in the Django cache (Redis in production,
  behind the circuit breaker) and in a small per-process LRU. A cache outage is a
  miss: the client sends the document, which runs; never an error of its own.

Trusted documents (GRAPHQL_TRUSTED_DOCUMENTS): only operations of the manifest
(GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST, JSON `{sha256: document}`, written by
`manage.py trusted_documents`) run, found by their hash or by their text; anything
else answers `PERSISTED_QUERY_NOT_IN_LIST`. A text matches an entry when it is the
entry's text, or the same document once parsed and printed with `__typename`
selections left out: Apollo Client adds `__typename` to every selection set and
sends its own printing of the document. Every document still goes through the
query limits, whichever way it came.
"""

import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from graphql import REMOVE, FieldNode, GraphQLError, Visitor, parse, print_ast, visit

logger = logging.getLogger("nexus.graphql")

VERSION = 1
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
# What the X-Persisted-Query response header says (for operators, CDNs and tests).
HIT, MISS, STORED = "HIT", "MISS", "STORED"

_SHA256 = re.compile(r"[0-9a-f]{64}")
_KEY_PREFIX = "apq:"
# Documents in the per-process LRU: hashes a worker served lately, even while Redis is down.
LOCAL_ENTRIES = 1_000


class PersistedQueryError(Exception):
    """A refusal of the persisted-query protocol.

    `request_error`: a GraphQL request error (the document cannot be had or may not
    run), answered like a validation failure (200 under application/json, `status`
    under application/graphql-response+json). Otherwise the request is malformed
    and always gets `status`.
    """

    def __init__(self, message: str, code: str, status: int, *, request_error: bool):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status
        self.request_error = request_error

    def as_graphql_error(self) -> GraphQLError:
        return GraphQLError(self.message, extensions={"code": self.code})


def _malformed(message: str) -> PersistedQueryError:
    return PersistedQueryError(message, "BAD_REQUEST", 400, request_error=False)


def not_found() -> PersistedQueryError:
    # Message and code exactly as Apollo's clients look for them.
    return PersistedQueryError("PersistedQueryNotFound", NOT_FOUND, 404, request_error=True)


def not_in_list() -> PersistedQueryError:
    return PersistedQueryError(
        "This server runs only its trusted documents, and this operation is not among them "
        "(send one of the manifest's operations, by its sha256 hash or its text).",
        NOT_IN_LIST,
        400,
        request_error=True,
    )


@dataclass(frozen=True)
class Persisted:
    """The document a request runs, and what the persisted-query protocol did to find it."""

    query: str
    sha256: str | None = None  # the hash the client sent
    outcome: str | None = None  # HIT, STORED (once it validates), or None (no APQ)

    @property
    def to_store(self) -> bool:
        return self.outcome == STORED


def resolve(query, extensions) -> Persisted:
    """The document to run, from the request's `query` and `extensions`.

    Raises PersistedQueryError; a request without a persisted query and without a
    document is the caller's to refuse (it is not this protocol's business).
    """
    if extensions is not None and not isinstance(extensions, dict):
        raise _malformed("extensions must be a JSON object.")
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return Persisted(query)
    sha256 = _persisted_hash(persisted)
    if not settings.GRAPHQL_PERSISTED_QUERIES and not settings.GRAPHQL_TRUSTED_DOCUMENTS:
        raise PersistedQueryError(
            "PersistedQueryNotSupported", NOT_SUPPORTED, 400, request_error=True
        )
    if isinstance(query, str) and query:
        if sha256_of(query) != sha256:
            raise _malformed(
                "extensions.persistedQuery.sha256Hash is not the sha256 of the query sent "
                "(hex of the UTF-8 text, exactly as sent); nothing was stored."
            )
        return Persisted(query, sha256, STORED)
    if query is not None and not isinstance(query, str):
        return Persisted(query)  # the caller refuses the malformed query itself
    found = trusted_manifest().by_hash.get(sha256) if settings.GRAPHQL_TRUSTED_DOCUMENTS else None
    if found is None and settings.GRAPHQL_PERSISTED_QUERIES:
        found = _lookup(sha256)
    if found is None:
        raise not_found()
    return Persisted(found, sha256, HIT)


def sha256_of(text: str) -> str:
    """Hex sha256 of the text's UTF-8; a lone surrogate (valid in JSON) is hashed, not fatal."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _persisted_hash(persisted) -> str:
    if not isinstance(persisted, dict):
        raise _malformed("extensions.persistedQuery must be an object {version, sha256Hash}.")
    version = persisted.get("version")
    if type(version) is not int or version != VERSION:
        raise _malformed(
            f"Unsupported persisted query version {json.dumps(version)}: "
            f"this server speaks version {VERSION}."
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise _malformed(
            "extensions.persistedQuery.sha256Hash must be 64 lower-case hex digits "
            "(sha256 of the document)."
        )
    return sha256


def remember(persisted: Persisted) -> bool:
    """Store a document sent with its hash (call once it has parsed and validated)."""
    if not persisted.to_store or not settings.GRAPHQL_PERSISTED_QUERIES:
        return False
    local_documents.put(persisted.sha256, persisted.query)
    # A cache outage: this worker still has it, and other workers will ask for it again.
    with suppress(Exception):
        cache.set(
            _KEY_PREFIX + persisted.sha256,
            persisted.query,
            timeout=settings.GRAPHQL_PERSISTED_QUERY_SECONDS,
        )
    return True


def _lookup(sha256: str) -> str | None:
    found = local_documents.get(sha256)
    if found is not None:
        return found
    try:
        found = cache.get(_KEY_PREFIX + sha256)
    except Exception:  # the cache client reports the outage; here it is a miss
        return None
    if not isinstance(found, str) or sha256_of(found) != sha256:
        return None  # nothing, or not what was stored under that hash
    local_documents.put(sha256, found)
    return found


class LocalDocuments:
    """A per-process LRU of hash -> document."""

    def __init__(self, size: int):
        self.size = size
        self._documents: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sha256: str) -> str | None:
        with self._lock:
            found = self._documents.get(sha256)
            if found is not None:
                self._documents.move_to_end(sha256)
            return found

    def put(self, sha256: str, document: str) -> None:
        with self._lock:
            self._documents[sha256] = document
            self._documents.move_to_end(sha256)
            while len(self._documents) > self.size:
                self._documents.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._documents.clear()


local_documents = LocalDocuments(LOCAL_ENTRIES)


# ---------------------------------------------------------------- trusted documents


@dataclass(frozen=True)
class Manifest:
    by_hash: dict[str, str]  # sha256 of the exact text -> text
    canonical: frozenset[str]  # sha256 of each entry's canonical printing


def trusted_manifest() -> Manifest:
    path = Path(settings.GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _load_manifest(str(path), stamp)


@lru_cache(maxsize=4)
def _load_manifest(path: str, stamp) -> Manifest:
    """The manifest at `path` as of `stamp`; a missing or broken one trusts nothing."""
    try:
        with open(path, encoding="utf-8") as file:
            entries = json.load(file)
        by_hash = {}
        for sha256, text in entries.items():
            if sha256_of(text) != sha256:
                raise ValueError(f"the entry {sha256} is not the sha256 of its document")
            by_hash[sha256] = text
        canonical = frozenset(canonical_hash(parse(text)) for text in by_hash.values())
    except (OSError, ValueError, AttributeError, GraphQLError) as error:
        # Refusing everything is the safe side of a broken manifest; say why, once per change.
        logger.error("trusted documents: cannot use %s (%s); nothing is trusted", path, error)
        return Manifest({}, frozenset())
    return Manifest(by_hash, canonical)


def check_trusted(query: str, document) -> None:
    """Raise NOT_IN_LIST unless `query` (parsed as `document`) is a manifest's operation."""
    manifest = trusted_manifest()
    if sha256_of(query) in manifest.by_hash:
        return
    if document.ast is None:
        raise not_in_list()
    canonical = document.memo.get("trusted-canonical")
    if canonical is None:
        canonical = document.memo["trusted-canonical"] = canonical_hash(document.ast)
    if canonical not in manifest.canonical:
        raise not_in_list()


class _WithoutTypename(Visitor):
    def enter_field(self, node: FieldNode, *_):
        if (
            node.name.value == "__typename"
            and node.alias is None
            and not node.directives
            and not node.arguments
        ):
            return REMOVE
        return None


def canonical_hash(ast) -> str:
    """sha256 of the document printed without its plain `__typename` selections."""
    return sha256_of(print_ast(visit(ast, _WithoutTypename())))


# ---------------------------------------------------------------- the manifest's sources


def manifest_sources(root: Path) -> list[Path]:
    """The operations the manifest trusts: docs/operations and the JS clients' own."""
    sources = sorted((root / "docs" / "operations").glob("*.graphql"))
    for client in sorted((root / "clients").glob("*")):
        sources += sorted(
            path
            for path in client.rglob("*.graphql")
            if "node_modules" not in path.relative_to(client).parts
        )
    return sources


def build_manifest(sources: list[Path]) -> dict[str, str]:
    entries = {}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        entries[sha256_of(text)] = text
    return dict(sorted(entries.items()))


def manifest_text(entries: dict[str, str]) -> str:
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
