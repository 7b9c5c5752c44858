"""Prometheus metrics of GraphQL operations (HTTP metrics come from django-prometheus).

Two decorators on the view keep the hot path untouched: `observe_operation`
wraps `_execute` (one timer, one counter, one histogram observation) and
`count_error` wraps `format_error`, which runs only for errors, so an answer
without errors costs nothing more. Served with everything else at /metrics.

Operation names are client input: each becomes a label only if it is a GraphQL
name, and at most `MAX_OPERATION_NAMES` distinct ones are kept per process
(the rest are counted as "other"), so no client can blow up the time series.
"""

import json
import re
import time
from contextvars import ContextVar
from functools import wraps

from prometheus_client import Counter, Histogram

MAX_OPERATION_NAMES = 500
ANONYMOUS = "anonymous"
OTHER = "other"

OPERATIONS = Counter(
    "nexus_graphql_operations_total",
    "GraphQL operations handled, by operation name and outcome (ok or error).",
    ["operation", "outcome"],
)
DURATION = Histogram(
    "nexus_graphql_operation_duration_seconds",
    "Time to validate, execute and serialize a GraphQL operation.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter(
    "nexus_graphql_errors_total",
    "GraphQL errors returned, by operation name and error code.",
    ["operation", "code"],
)

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
# The name of the first operation when the client sent none: `query Name(...) {`.
_LEADING_OPERATION = re.compile(
    r"\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)"
)
_seen_names: set[str] = set()
# The error codes of the operation being handled (None outside one).
_codes: ContextVar[list[str] | None] = ContextVar("graphql_error_codes", default=None)


def operation_label(query: str, operation_name: str | None) -> str:
    name = operation_name
    if name is None:
        leading = _LEADING_OPERATION.match(query)
        name = leading.group(1) if leading else None
    if not name:
        return ANONYMOUS
    if name in _seen_names:
        return name
    if not _NAME.fullmatch(name) or len(_seen_names) >= MAX_OPERATION_NAMES:
        return OTHER
    _seen_names.add(name)
    return name


def observe_operation(execute):
    """Wraps the view's `_execute(request, query, variables, operation_name)`."""

    @wraps(execute)
    def observed(view, request, query, variables, operation_name):
        label = operation_label(query, operation_name)
        codes: list[str] = []
        token = _codes.set(codes)
        started = time.perf_counter()
        try:
            response = execute(view, request, query, variables, operation_name)
        except Exception as error:
            codes.append(str(getattr(error, "code", "INTERNAL_ERROR")))
            _record(label, started, codes)
            raise
        finally:
            _codes.reset(token)
        if response.status_code >= 400 and not codes:
            codes.extend(_codes_in(response.content))
        _record(label, started, codes)
        return response

    return observed


def count_error(format_error):
    """Wraps the view's `format_error(error)`: notes the code each error goes out with."""

    @wraps(format_error)
    def counted(error):
        formatted = format_error(error)
        codes = _codes.get()
        if codes is not None:
            codes.append((formatted.get("extensions") or {}).get("code") or "UNKNOWN")
        return formatted

    return counted


def _record(label: str, started: float, codes: list[str]) -> None:
    DURATION.labels(label).observe(time.perf_counter() - started)
    OPERATIONS.labels(label, "error" if codes else "ok").inc()
    for code in codes:
        ERRORS.labels(label, code).inc()


def _codes_in(body: bytes) -> list[str]:
    """The codes of an error answer the view built itself (limits, bad requests)."""
    try:
        errors = json.loads(body).get("errors") or []
        return [(e.get("extensions") or {}).get("code") or "UNKNOWN" for e in errors]
    except (ValueError, AttributeError):
        return ["UNKNOWN"]
