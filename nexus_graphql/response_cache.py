"""Whole-response cache for anonymous read queries, invalidated by a generation.

Every write to the hub bumps one counter in the shared cache (after its
transaction commits); response keys include the counter, so a write makes all
earlier entries unreachable at once: no key scans, and no reader sees stale
data once a mutation has returned, in any worker. If the cache is unreachable,
reads go uncached and writes still succeed.

Each worker also keeps the bodies it served last in memory (bounded by bytes,
least recently used out first). Keys carry the generation, which is read from
the shared cache on every request, so a local hit is exactly as fresh as a
shared one and saves moving the body over the network.
"""

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger("nexus.cache")

GENERATION_KEY = "hub:generation"


def current_generation() -> int | None:
    """The content generation, or None when the cache cannot be used."""
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            # First use, or the cache was flushed: start from a value no earlier
            # generation had, so no body kept from before can match a new key.
            cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
            generation = cache.get(GENERATION_KEY)
        return generation
    except Exception:  # the cache backend is down: degrade to no caching
        logger.warning("response cache unavailable", exc_info=True)
        return None


def _fresh_generation() -> int:
    return time.time_ns()


def bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (flushed): a fresh value invalidates everything
        cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
    except Exception:
        logger.warning("could not bump the content generation", exc_info=True)


def content_changed(**_) -> None:
    """Signal receiver: invalidate once the surrounding transaction commits."""
    transaction.on_commit(bump_generation)


def response_key(generation: int, fingerprint: str, variables, operation_name) -> str:
    """Key of a response: the document's canonical fingerprint, variables, operation."""
    payload = json.dumps([fingerprint, variables or {}, operation_name or ""], sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return f"gql:{generation}:{digest}"


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
    except Exception:
        logger.warning("could not store a response", exc_info=True)
