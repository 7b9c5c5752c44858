"""Rate limits per operation kind, counted in the shared cache (all workers agree).

Each request falls in one bucket, the strictest that applies:
`auth` (tokenAuth, register: per address, whoever asks, against password
guessing and sign-up floods), `mutation`, or `query` (anything else, unparsable
documents included). Callers are counted per user when signed in, per address
otherwise, in fixed windows of RATE_LIMITS["window_seconds"]: one counter key
per caller, bucket and window, incremented once per request (one round trip to
Redis). Over the limit: HTTP 429 with Retry-After and extensions.code
RATE_LIMITED. If the cache is down the request goes through (logged): an
outage of the cache must not become an outage of the API.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationType,
    get_operation_ast,
)

from nexus_graphql.client_ip import client_ip

logger = logging.getLogger("nexus.ratelimit")

AUTH_FIELDS = frozenset({"tokenAuth", "register"})
_OUTAGE_LOG_SECONDS = 30.0
_last_outage_logged = float("-inf")


@dataclass(frozen=True)
class Operation:
    """What the request asks, as the request log records it."""

    type: str  # "query", "mutation", "subscription", or "" when the document is unusable
    name: str
    root_fields: tuple[str, ...]

    @property
    def bucket(self) -> str:
        if AUTH_FIELDS.intersection(self.root_fields):
            return "auth"
        return "mutation" if self.type == "mutation" else "query"


def charge_request(request) -> JsonResponse | None:
    """Charge the caller for the request itself, before its body is parsed (see issue 10)."""
    return None


def enforce(request, document, operation_name: str | None) -> JsonResponse | None:
    """Note the request's operation on it; a 429 response if its caller is over the limit."""
    operation = describe(document, operation_name)
    request.graphql_operation = operation
    config = settings.RATE_LIMITS
    if not config["enabled"]:
        return None
    bucket = operation.bucket
    limit = config[bucket]
    window = config["window_seconds"]
    now = time.time()
    window_index = int(now // window)
    key = f"rl:{bucket}:{_caller(request, bucket)}:{window_index}"
    count = _hit(key, window)
    if count is None or count <= limit:
        return None
    retry_after = max(1, int((window_index + 1) * window - now + 0.999))
    message = (
        f"Rate limit exceeded: at most {limit} {_LABELS[bucket]} per {window} seconds. "
        f"Retry after {retry_after} seconds."
    )
    response = JsonResponse(
        {
            "errors": [
                {
                    "message": message,
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": retry_after},
                }
            ]
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


_LABELS = {"auth": "sign-ins and registrations", "mutation": "mutations", "query": "queries"}


def describe(document, operation_name: str | None) -> Operation:
    ast = getattr(document, "ast", None)
    operation = get_operation_ast(ast, operation_name) if ast is not None else None
    if operation is None:
        return Operation("", operation_name or "", ())
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    kind = {OperationType.QUERY: "query", OperationType.MUTATION: "mutation"}.get(
        operation.operation, "subscription"
    )
    name = operation.name.value if operation.name else (operation_name or "")
    return Operation(kind, name, tuple(_root_fields(operation.selection_set, fragments, set())))


def _root_fields(selection_set, fragments, seen) -> list[str]:
    names = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names += _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                names += _root_fields(fragment.selection_set, fragments, seen)
    return names


def _caller(request, bucket: str) -> str:
    user = getattr(request, "user", None)
    if bucket != "auth" and user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def _hit(key: str, window: int) -> int | None:
    """Count one request in the window's counter; None when the cache cannot count."""
    try:
        redis = _redis_client()
        if redis is not None:
            pipe = redis.pipeline(transaction=False)
            full_key = cache.make_and_validate_key(key)
            pipe.set(full_key, 0, ex=window + 1, nx=True)  # the window's first request
            pipe.incr(full_key)
            return pipe.execute()[1]
        if cache.add(key, 1, timeout=window + 1):
            return 1
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window's first request
        return 1
    except Exception:
        _log_outage()
        return None


def _redis_client():
    """The raw client behind django-redis (INCR and EXPIRE in one round trip), else None."""
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None


def _log_outage() -> None:
    global _last_outage_logged
    now = time.monotonic()
    if now - _last_outage_logged >= _OUTAGE_LOG_SECONDS:
        _last_outage_logged = now
        logger.warning("rate limits not enforced: the cache is unavailable", exc_info=True)
