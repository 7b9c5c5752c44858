"""Rate limits: a request pays for what it sends and for what it asks, before the work.

Two charges, both in fixed windows of RATE_LIMITS["window_seconds"], counted in the
"ratelimit" cache (its own store: cached responses cannot evict a counter):

1. `charge_request`, first thing in the view, before the body is parsed or a token
   read: the caller's address pays 1 unit plus 1 per started `bytes_per_unit` of body
   and query string, against RATE_LIMITS["request"]. Requests refused later (bad JSON,
   bad token, wrong content type, oversized) have paid already.
2. `enforce`, once the document is parsed: each tokenAuth or register root field costs 1
   in the `auth` bucket (30 aliases are 30 sign-in attempts), each other mutation root
   field 1 in `mutation`, a query 1 in `query`. The address pays, and a signed-in caller's
   user pays as well, so an account adds no budget to its address and many addresses add
   none to an account.

Addresses are counted by `client_ip.rate_limit_key` (IPv6 per /64). Over a limit: HTTP
429 with Retry-After and extensions {code: RATE_LIMITED, retryAfter}. The units are
taken even when refused.

While the store cannot count (Redis down, or its breaker open: nexus_graphql.redis_breaker)
each worker process counts on its own, in a local-memory store kept for that (`counted`):
the limits still hold per process, so a caller gets at most N_workers x the limit during
an outage, and the requests are neither refused nor slowed for want of the counters. The
sign-in guard counts the same way. The outage is logged in a few lines (outages.Outage), at
INFO: the store is Redis behind the breaker, whose own Outage warns about the server.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import JsonResponse
from graphql import OperationType, get_operation_ast

from nexus_graphql.client_ip import client_ip, rate_limit_key
from nexus_graphql.outages import Outage
from nexus_graphql.responses import error_response
from schema.core.walk import expand, fragments_of

logger = logging.getLogger("nexus.ratelimit")

STORE_ALIAS = "ratelimit"
AUTH_FIELDS = frozenset({"tokenAuth", "register"})
_now = time.time  # the clock of the windows, replaceable in tests
# Where this process counts while the store cannot (same capacity as the embedded store).
_OUTAGE_STORE = LocMemCache("nexus-ratelimit-outage", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_outage = Outage(logger, "rate-limit counters", level=logging.INFO)
_LABELS = {
    "request": "request units (1 per request, 1 more per started {kb} KB)",
    "auth": "sign-in and registration fields",
    "mutation": "mutation fields",
    "query": "queries",
}


def store():
    """The counters' cache: never the one cached responses live in."""
    return caches[STORE_ALIAS]


def counted(operation):
    """`operation(counters)` on the shared store, or on this process's own while the shared
    one fails (the module docstring says what that means for the limits)."""
    try:
        result = operation(store())
    except Exception as error:
        _outage.failed(error)
        return operation(_OUTAGE_STORE)
    _outage.succeeded()
    return result


@dataclass(frozen=True)
class Operation:
    """What the request asks, as the request log records it."""

    type: str  # "query", "mutation", "subscription", or "" when the document is unusable
    name: str
    # One entry per field the executor runs at the root: per alias; selections sharing a
    # response key (a fragment spread twice, a field repeated) merge into one run.
    root_fields: tuple[str, ...]

    @property
    def charges(self) -> dict[str, int]:
        """Units per bucket this operation costs."""
        auth = sum(1 for name in self.root_fields if name in AUTH_FIELDS)
        charges = {"auth": auth} if auth else {}
        if self.type == "mutation":
            others = len(self.root_fields) - auth
            if others or not auth:
                charges["mutation"] = max(1, others)
        else:
            charges["query"] = 1  # unusable documents included: parsing them was work
        return charges


def charge_request(request) -> JsonResponse | None:
    """Charge the address for the request itself, before its body is read; a 429 if over."""
    config = settings.RATE_LIMITS
    if not config["enabled"]:
        return None
    units = request_units(request, config["bytes_per_unit"])
    return _charge(request, {"request": units}, with_user=False)


def request_units(request, bytes_per_unit: int) -> int:
    """1 + 1 per started `bytes_per_unit` of what the caller sent (declared body + query)."""
    try:
        body = max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        body = 0  # Django reads no body then either
    # Past the body limit the view refuses without reading: charge what it would have read.
    body = min(body, settings.GRAPHQL_MAX_BODY_BYTES + 1)
    sent = body + len(request.META.get("QUERY_STRING", ""))
    return 1 + -(-sent // bytes_per_unit)


def enforce(request, document, operation_name: str | None) -> JsonResponse | None:
    """Note the request's operation on it; charge what it asks; a 429 if its caller is over."""
    operation = describe(document, operation_name)
    request.graphql_operation = operation
    if not settings.RATE_LIMITS["enabled"]:
        return None
    return _charge(request, operation.charges, with_user=True)


def describe(document, operation_name: str | None) -> Operation:
    ast = getattr(document, "ast", None)
    operation = get_operation_ast(ast, operation_name) if ast is not None else None
    if operation is None:
        return Operation("", operation_name or "", ())
    kind = {OperationType.QUERY: "query", OperationType.MUTATION: "mutation"}.get(
        operation.operation, "subscription"
    )
    name = operation.name.value if operation.name else (operation_name or "")
    # One entry per response key, as the executor runs them: a field repeated under the
    # same key runs once. The walk is the limits' own (schema.core.walk).
    fields: dict[str, str] = {}
    for node, _ in expand(None, None, [operation.selection_set], fragments_of(ast)):
        fields.setdefault((node.alias or node.name).value, node.name.value)
    return Operation(kind, name, tuple(fields.values()))


def _callers(request, with_user: bool) -> list[str]:
    callers = [f"ip:{rate_limit_key(client_ip(request))}"]
    user = getattr(request, "user", None) if with_user else None
    if user is not None and user.is_authenticated:
        callers.append(f"user:{user.pk}")
    return callers


def _charge(request, charges: dict[str, int], *, with_user: bool) -> JsonResponse | None:
    config = settings.RATE_LIMITS
    window = config["window_seconds"]
    now = _now()
    window_index = int(now // window)
    charged = [
        (bucket, f"rl:{bucket}:{caller}:{window_index}", units)
        for bucket, units in charges.items()
        for caller in _callers(request, with_user)
    ]
    counts = add_units([(key, units) for _, key, units in charged], window + 1)
    for (bucket, _, _), count in zip(charged, counts, strict=True):
        if count > config[bucket]:
            retry_after = max(1, int((window_index + 1) * window - now + 0.999))
            return _refusal(bucket, config[bucket], window, retry_after)
    return None


def _refusal(bucket: str, limit: int, window: int, retry_after: int) -> JsonResponse:
    label = _LABELS[bucket].format(kb=settings.RATE_LIMITS["bytes_per_unit"] // 1024)
    message = (
        f"Rate limit exceeded: at most {limit} {label} per {window} seconds. "
        f"Retry after {retry_after} seconds."
    )
    return error_response(message, "RATE_LIMITED", 429, retry_after=retry_after)


def add_units(increments: list[tuple[str, int]], timeout: int) -> list[int]:
    """Add units to counters that expire `timeout` s after their first unit; their new
    values (one round trip on Redis)."""
    return counted(lambda counters: _add(counters, increments, timeout))


def _add(counters, increments: list[tuple[str, int]], timeout: int) -> list[int]:
    redis = redis_client(counters)
    if redis is not None:
        pipe = redis.pipeline(transaction=False)
        for key, units in increments:
            full_key = counters.make_and_validate_key(key)
            pipe.set(full_key, 0, ex=timeout, nx=True)  # the window's first charge
            pipe.incrby(full_key, units)
        return pipe.execute()[1::2]
    return [_add_local(counters, key, units, timeout) for key, units in increments]


def _add_local(counters, key: str, units: int, timeout: int) -> int:
    if counters.add(key, units, timeout=timeout):
        return units
    try:
        return counters.incr(key, units)
    except ValueError:  # expired between add and incr: a new window's first charge
        counters.add(key, units, timeout=timeout)
        return units


def redis_client(counters):
    """The raw client behind django-redis (pipelines), or None on another backend."""
    client = getattr(counters, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client is not None else None
