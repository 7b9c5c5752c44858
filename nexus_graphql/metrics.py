"""Prometheus metrics of GraphQL operations (HTTP metrics come from django-prometheus), and
the /metrics exporter.

Two decorators on the view keep the hot path untouched: `observe_operation`
wraps `_execute` (one timer, one counter, one histogram observation) and
`count_error` wraps `format_error`, which runs only for errors, so an answer
without errors costs nothing more.

/metrics publishes nothing a client chose: an operation is labelled with its name only
when the name is one of the project's own operations (docs/operations, the documents
frontends ship) or of METRICS_OPERATION_NAMES; every other name counts as "other", so a
name can carry no client's data and the time series stay bounded by construction. Error
codes are the server's own (`extensions.code`); error ids, addresses, users and paths
are never labels. The exporter answers a `Bearer METRICS_TOKEN` or a caller connecting
from METRICS_ALLOWED_NETWORKS directly (a request relayed by a proxy carries a forwarding
header and is let in by the token only); everyone else gets a 403.
"""

import hmac
import ipaddress
import json
import re
import time
from contextvars import ContextVar
from functools import cache, wraps

from django.conf import settings
from django_prometheus import middleware as django_prometheus
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import Counter, Histogram

from nexus_graphql.graphiql import examples
from nexus_graphql.responses import error_response

ANONYMOUS = "anonymous"
OTHER = "other"
UNKNOWN_CODE = "UNKNOWN"

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
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
# The name of the first operation when the client sent none: `query Name(...) {`.
_LEADING_OPERATION = re.compile(
    r"\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)"
)
# A relayed request: its socket address is the proxy's, not the caller's.
_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
# The error codes of the operation being handled (None outside one).
_codes: ContextVar[list[str] | None] = ContextVar("graphql_error_codes", default=None)


class PrometheusAfterMiddleware(django_prometheus.PrometheusAfterMiddleware):
    """django-prometheus's, with every `method` label bounded: its latency histograms take
    request.method as the client sent it, so any made-up method became a new series."""

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels:
            labels["method"] = self._method(request)  # "<invalid method>" unless standard
        return super().label_metric(metric, request, response, **labels)


def export(request):
    """GET /metrics, for Prometheus (nexus_graphql.health answers it before host checks)."""
    if not _may_scrape(request):
        return error_response("Metrics are not available to this caller.", "FORBIDDEN", 403)
    return ExportToDjangoView(request)


def _may_scrape(request) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if token and scheme.lower() == "bearer":
        return hmac.compare_digest(given.strip().encode(), token.encode())
    if any(header in request.META for header in _FORWARDING_HEADERS):
        return False
    return _in_allowed_networks(request.META.get("REMOTE_ADDR", ""))


def _in_allowed_networks(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
    return any(ip in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


@cache
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)


@cache
def _known_names(extra: tuple[str, ...]) -> frozenset[str]:
    own = (_LEADING_OPERATION.match(example["query"]) for example in examples())
    return frozenset({match.group(1) for match in own if match} | set(extra))


def operation_label(query: str, operation_name: str | None) -> str:
    name = operation_name
    if name is None:
        leading = _LEADING_OPERATION.match(query)
        name = leading.group(1) if leading else None
    if not name:
        return ANONYMOUS
    if name in _known_names(tuple(settings.METRICS_OPERATION_NAMES)):
        return name
    return OTHER


def _code_label(code) -> str:
    return code if isinstance(code, str) and _CODE.fullmatch(code) else UNKNOWN_CODE


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
            codes.append(_code_label(str(getattr(error, "code", "INTERNAL_ERROR"))))
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
            codes.append(_code_label((formatted.get("extensions") or {}).get("code")))
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
        return [_code_label((e.get("extensions") or {}).get("code")) for e in errors]
    except (ValueError, AttributeError):
        return [UNKNOWN_CODE]
