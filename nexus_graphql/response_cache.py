"""Whole-response cache for anonymous read queries, keyed by the versions of what they show.

An answer's key holds the versions (hub.versions, in the database) of the data kinds
its operation reads (schema.core.dependencies): a write bumps the versions of what it
changed inside its own transaction, so the next reader in any worker computes a new
key and can only find answers built after that write. Nothing is ever invalidated in
the cache itself, so nothing is lost when the cache misses a write: Redis stopped,
hung, paused, restarted with old data. Readers pay one small indexed SELECT per
request for the versions, and other workers have no staleness window at all.

Each worker also keeps the bodies it served last in memory (bounded by bytes, least
recently used out first), under the same keys: a local hit is exactly as fresh as a
shared one and saves moving the body over the network. Cache failures are misses
(the Redis client's circuit breaker logs the outage); they never fail a request.
"""

import hashlib
import json
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from hub import versions
from schema.core.dependencies import operation_reads


def response_key(document, operation, variables, operation_name) -> str | None:
    """The key of this operation's answer now, or None when the versions cannot be read."""
    reads = document.memo.get(operation_name)
    if reads is None:
        reads = document.memo[operation_name] = operation_reads(_schema(), document.ast, operation)
    if not settings.GRAPHQL_RESPONSE_CACHE_BY_KIND:
        reads = {versions.EVERYTHING}
    try:
        current = versions.current(reads)
    except DatabaseError:  # the database is down: the request will say so itself
        return None
    payload = json.dumps(
        [document.fingerprint, variables or {}, operation_name or "", current], sort_keys=True
    )
    return f"gql:{hashlib.sha256(payload.encode()).hexdigest()}"


def _schema():
    from nexus_graphql.documents import documents

    return documents.schema


class LocalBodies:
    """A per-process LRU of response bodies, bounded by their total size."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._bodies:
                return
            self._bodies[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, evicted = self._bodies.popitem(last=False)
                self._size -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()
            self._size = 0


local_bodies = LocalBodies(settings.GRAPHQL_RESPONSE_CACHE_LOCAL_BYTES)


def get(key: str) -> bytes | None:
    body = local_bodies.get(key)
    if body is None:
        try:
            body = cache.get(key)
        except Exception:
            return None
        if body is not None:
            local_bodies.put(key, body)
    return body


def put(key: str, body: bytes) -> None:
    if len(body) > settings.GRAPHQL_RESPONSE_CACHE_MAX_BODY_BYTES:
        return
    local_bodies.put(key, body)
    try:
        cache.set(key, body, timeout=settings.GRAPHQL_RESPONSE_CACHE_SECONDS)
    except Exception:  # a miss next time; the cache client reports the outage
        return
