"""Whole-response cache for anonymous read queries, invalidated by a generation.

Every write to the hub bumps one counter in the shared cache (after its
transaction commits); response keys include the counter, so a write makes all
earlier entries unreachable at once: no key scans, and no reader sees stale
data once a mutation has returned, in any worker. If the cache is unreachable,
reads go uncached and writes still succeed.
"""

import hashlib
import json
import logging

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
            # First use (or the cache was flushed): start a fresh generation.
            cache.add(GENERATION_KEY, 1, timeout=None)
            generation = cache.get(GENERATION_KEY)
        return generation
    except Exception:  # the cache backend is down: degrade to no caching
        logger.warning("response cache unavailable", exc_info=True)
        return None


def bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (flushed): any new value invalidates
        cache.add(GENERATION_KEY, 1, timeout=None)
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


def get(key: str) -> bytes | None:
    try:
        return cache.get(key)
    except Exception:
        return None


def put(key: str, body: bytes) -> None:
    try:
        cache.set(key, body, timeout=settings.GRAPHQL_RESPONSE_CACHE_SECONDS)
    except Exception:
        logger.warning("could not store a response", exc_info=True)
