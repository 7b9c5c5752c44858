"""The GraphQL endpoint: a plain Django view, one pass per request.

In this order, each step bounded before the next: the rate limit's charge for
the request itself (before anything is parsed), method and body rules, the
viewer from the token (once, not per field), the document (parsed within a
token limit, checked against the structural limits, validated; cached), the
rate limit's charge for what the operation does, the anonymous response cache,
the cost limit, execution within a deadline and a response-size budget, and the
answer's size. Nothing here knows the domain: resolvers call hub selectors and
services.

GraphQL over HTTP (the spec, as npm graphql-http's audits check it): the answer is
`application/graphql-response+json` when the client's Accept prefers it, else
`application/json`. A GraphQL request error (the document does not parse, validate
or fit the limits, its variables do not coerce, its operation is not there, its
persisted query is unknown or not trusted) answers 200 under `application/json` and
a 4xx under `application/graphql-response+json`, without `data` either way. A
request that is not well-formed (bad JSON, no query, parameters of the wrong type,
wrong method or media type) is a 4xx under both. Persisted queries and trusted
documents: nexus_graphql.persisted; HTTP caching headers: nexus_graphql.http_cache.
"""

import json
import logging
import re
import uuid

import orjson
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from graphql import ExecutionResult, GraphQLError, OperationType, get_operation_ast
from graphql.execution.values import get_variable_values

from hub.errors import ApplicationError
from nexus_graphql import http_cache, metrics, persisted, ratelimit, response_cache
from nexus_graphql.authentication import viewer_of
from nexus_graphql.documents import documents, query_limits
from nexus_graphql.execution import (
    Budget,
    ExecutionAborted,
    execute_charged,
    operation_budget,
)
from nexus_graphql.graphiql import page_context as graphiql_page_context
from nexus_graphql.limits import QueryLimitExceeded, check_operation
from nexus_graphql.responses import error_response
from schema import compiled
from schema.accounts.tokens import InvalidToken, is_token_error

logger = logging.getLogger("nexus.graphql")

_JSON_TYPES = {"application/json", "application/graphql"}
JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
_DID_YOU_MEAN = re.compile(r" Did you mean .*\?$")
# SQLSTATE of a statement cancelled by statement_timeout.
_QUERY_CANCELED = "57014"


class BadRequest(Exception):
    def __init__(
        self, message: str, status: int = 400, code: str = "BAD_REQUEST", *, allow: str = ""
    ):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code
        self.allow = allow  # the methods a 405 names (RFC 9110 requires the header)


# Token-authenticated API: sessions are ignored here, so CSRF cannot ride on a cookie.
@method_decorator(csrf_exempt, name="dispatch")
class NexusGraphQLView(View):
    def dispatch(self, request, *args, **kwargs):
        request.graphql_media_type = _media_type(request)
        request.graphql_persisted = None
        response = self._answer(request)
        if getattr(response, "graphiql_page", False):
            patch_vary_headers(response, ("Accept",))  # the same URL answers JSON too
            return response
        if response.get("Content-Type") == JSON:  # refusals built elsewhere (rate limits) too
            response["Content-Type"] = _content_type(request)
        outcome = getattr(response, "persisted_outcome", None) or _persisted_outcome(request)
        if outcome:
            response["X-Persisted-Query"] = outcome
        return http_cache.finish(request, response, public=getattr(response, "public", False))

    def _answer(self, request):
        try:
            if (refused := ratelimit.charge_request(request)) is not None:
                return refused
            return self._dispatch(request)
        except BadRequest as error:
            response = error_response(error.message, error.code, error.status)
            if error.allow:
                response["Allow"] = error.allow
            return response
        except InvalidToken as error:
            return error_response(str(error), "UNAUTHENTICATED", 401)
        except persisted.PersistedQueryError as error:
            response = _persisted_refusal(request, error)
            if error.code == persisted.NOT_FOUND:
                response.persisted_outcome = persisted.MISS
            return response

    def _dispatch(self, request):
        if request.method not in ("GET", "POST"):
            raise BadRequest(
                "GraphQL is served over GET and POST.", 405, "METHOD_NOT_ALLOWED", allow="GET, POST"
            )
        if _content_length(request) > settings.GRAPHQL_MAX_BODY_BYTES:
            raise BadRequest(
                f"Request body over {settings.GRAPHQL_MAX_BODY_BYTES} bytes.", 413, "BODY_TOO_LARGE"
            )
        if request.method == "GET" and _wants_graphiql(request):
            page = render(request, "graphene/graphiql.html", graphiql_page_context())
            page.graphiql_page = True
            return page
        request.user = viewer_of(request)
        found, variables, operation_name = _params(request)
        request.graphql_persisted = found
        return self._execute(request, found.query, variables, operation_name)

    @metrics.observe_operation
    def _execute(self, request, query, variables, operation_name):
        document = documents.get(query)
        if (refused := ratelimit.enforce(request, document, operation_name)) is not None:
            return refused
        if settings.GRAPHQL_TRUSTED_DOCUMENTS:
            try:
                persisted.check_trusted(query, document)
            except persisted.PersistedQueryError as error:
                return _persisted_refusal(request, error)
        if document.errors:
            return _request_error(request, list(document.errors))
        operation = get_operation_ast(document.ast, operation_name)
        if operation is None:
            if operation_name:
                message = f"The document has no operation named {operation_name!r}."
            else:
                message = "Name the operation to run (operationName) among several."
            return _request_error(
                request, [GraphQLError(message, extensions={"code": "BAD_REQUEST"})]
            )
        if operation.operation == OperationType.SUBSCRIPTION:
            return _request_error(
                request,
                [
                    GraphQLError(
                        "Subscriptions run over WebSocket (graphql-transport-ws) on this path.",
                        extensions={"code": "BAD_REQUEST"},
                    )
                ],
            )
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            raise BadRequest(
                "Mutations are sent with POST.", 405, "METHOD_NOT_ALLOWED", allow="POST"
            )
        if request.graphql_persisted is not None:  # a document that could run: keep it
            request.graphql_persisted_kept = persisted.remember(request.graphql_persisted)
        # A cached answer exists only for a query that passed the limits when it ran.
        cache_key = None
        if _cacheable(request, operation):
            cache_key = response_cache.response_key(document, operation, variables, operation_name)
            if cache_key is not None:
                cached = response_cache.get(cache_key)
                if cached is not None:
                    return _cached_response(request, cached)

        schema = documents.schema
        coerced = get_variable_values(
            schema, operation.variable_definitions or (), variables or {}, max_errors=20
        )
        if isinstance(coerced, list):  # the variables do not fit their types
            return _request_error(request, coerced)
        try:
            check_operation(schema, document.ast, operation, variables, query_limits())
        except QueryLimitExceeded as error:
            return _request_error(request, [error])

        request.graphql_budget = operation_budget()
        try:
            result = _compiled_result(request, schema, document, operation, coerced, query)
            if result is None:
                result = execute_charged(
                    schema,
                    document.ast,
                    context=request,
                    variables=variables,
                    operation_name=operation_name,
                )
        except ExecutionAborted as aborted:
            logger.warning("execution stopped: %s (%s)", aborted.code, operation_name or "-")
            return _respond(request, ExecutionResult(None, [_aborted_error(aborted)]), 200)
        response = _respond(request, result, 200)
        if len(response.content) > settings.GRAPHQL_MAX_RESPONSE_BYTES:
            too_large = ExecutionAborted(
                "RESPONSE_TOO_LARGE",
                f"The response would be over {settings.GRAPHQL_MAX_RESPONSE_BYTES} bytes; "
                "ask for less (smaller pages, fewer fields).",
            )
            return _respond(request, ExecutionResult(None, [_aborted_error(too_large)]), 200)
        # Browsers and CDNs may keep what any anonymous caller would get (http_cache).
        response.public = (
            not result.errors
            and operation.operation == OperationType.QUERY
            and not request.user.is_authenticated
        )
        if cache_key:
            response["X-Cache"] = "MISS"
            if not result.errors:
                response_cache.put(cache_key, response.content)
        return response


def _compiled_result(request, schema, document, operation, variables, query):
    """The planned path's answer (schema.compiled), or None for the reference path: an
    operation it has no plan for, or a run that would report an error (the reference
    path then writes that error, with a budget of its own)."""
    if not settings.NEXUS_COMPILED_READS:
        return None
    plan = compiled.plan_for(schema, document.ast, operation, variables, query)
    if plan is None:
        compiled.paths["reference"] += 1
        return None
    budget = request.graphql_budget
    try:
        data = compiled.run(
            plan,
            schema=schema,
            variables=variables,
            viewer=request.user,
            budget=Budget(seconds=budget.seconds, max_fields=budget.max_fields),
        )
    except compiled.Unplanned as reason:
        logger.debug("planned read fell back: %s", reason)
        compiled.paths["fallback"] += 1
        return None
    compiled.paths["planned"] += 1
    return ExecutionResult(data, None)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number.") from None


def _wants_graphiql(request) -> bool:
    if "raw" in request.GET:
        return False
    return request.get_preferred_type([JSON, GRAPHQL_RESPONSE, "text/html"]) == "text/html"


def _media_type(request) -> str:
    """application/graphql-response+json if the Accept header prefers it, else JSON.

    On a tie (`*/*`, or both listed at the same quality) the Accept header's own order
    decides, and `*/*` alone or no Accept at all is application/json, as the spec asks.
    """
    return request.get_preferred_type([JSON, GRAPHQL_RESPONSE]) or JSON


def _content_type(request) -> str:
    if request.graphql_media_type == GRAPHQL_RESPONSE:
        return f"{GRAPHQL_RESPONSE}; charset=utf-8"
    return JSON


def _params(request):
    if request.method == "POST":
        content_type = request.content_type.lower()
        if content_type not in _JSON_TYPES:
            raise BadRequest("POST bodies must be application/json.", 415, "UNSUPPORTED_MEDIA_TYPE")
        if content_type == "application/graphql":
            data = {"query": _decode(request.body)}
        else:
            try:
                data = json.loads(_decode(request.body))
            except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
                raise BadRequest("The body is not valid JSON.") from None
            if not isinstance(data, dict):
                raise BadRequest("The body must be a JSON object {query, variables}.")
    else:
        data = request.GET.dict()
        for parameter in ("variables", "extensions"):  # URL-encoded JSON
            if isinstance(data.get(parameter), str):
                try:
                    data[parameter] = json.loads(data[parameter])
                except (ValueError, RecursionError):
                    raise BadRequest(f"{parameter} is not valid JSON.") from None
    found = persisted.resolve(data.get("query"), data.get("extensions"))
    query, variables = found.query, data.get("variables")
    operation_name = data.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("Provide a query string.")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("variables must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("operationName must be a string.")
    return found, variables, operation_name


def _cacheable(request, operation) -> bool:
    return (
        settings.GRAPHQL_RESPONSE_CACHE
        and operation.operation == OperationType.QUERY
        and not request.user.is_authenticated
    )


def _respond(request, result, status: int, *, executed: bool = True) -> HttpResponse:
    """The JSON body; `data` is present whenever execution started (per the spec)."""
    body = {}
    if result.errors:
        body["errors"] = [format_error(e) for e in result.errors]
    if executed:
        body["data"] = result.data
    return HttpResponse(_render(body), status=status, content_type=_content_type(request))


def _render(body: dict) -> bytes:
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        # orjson refuses what UTF-8 cannot hold, such as a lone surrogate a client sent
        # that an error message echoes; JSON escapes it (\ud800).
        return json.dumps(body, separators=(",", ":")).encode()


def _request_error(request, errors: list, status: int = 400) -> HttpResponse:
    """A GraphQL request error: nothing ran, so no `data`; 200 under application/json."""
    if request.graphql_media_type != GRAPHQL_RESPONSE:
        status = 200
    return _respond(request, ExecutionResult(None, errors), status, executed=False)


def _persisted_refusal(request, error: "persisted.PersistedQueryError") -> HttpResponse:
    if error.request_error:
        return _request_error(request, [error.as_graphql_error()], error.status)
    return error_response(error.message, error.code, error.status)


def _persisted_outcome(request) -> str | None:
    found = request.graphql_persisted
    if found is None or found.outcome is None:
        return None
    if found.outcome == persisted.STORED and not getattr(request, "graphql_persisted_kept", False):
        return None  # sent with its hash but refused before it could be kept
    return found.outcome


def _aborted_error(aborted: ExecutionAborted) -> GraphQLError:
    return GraphQLError(aborted.message, extensions={"code": aborted.code})


def _cached_response(request, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=_content_type(request))
    response["X-Cache"] = "HIT"  # for operators and CDNs; the body is the same either way
    response.public = True  # only successful anonymous answers are ever cached
    return response


@metrics.count_error
def format_error(error) -> dict:
    """A GraphQL error as clients see it; anything unexpected is masked with an id."""
    if not isinstance(error, GraphQLError):
        return _masked(error)
    formatted = error.formatted
    if not settings.DEBUG:
        formatted["message"] = _DID_YOU_MEAN.sub("", formatted["message"])
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        # The document's own errors (syntax, validation, limits) and typed errors of
        # resolvers (bad page arguments): their extensions already say what they are.
        if not error.path and not formatted.get("extensions"):
            formatted["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
    elif isinstance(original, ApplicationError):
        formatted["extensions"] = {"code": original.code.value}
        if original.field:
            formatted["extensions"]["field"] = original.field
    elif is_token_error(original):
        # Bad credentials, expired, revoked or forged tokens.
        formatted["extensions"] = {"code": "UNAUTHENTICATED"}
    else:
        formatted.update(_masked(original))
    return formatted


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The body is not UTF-8.") from None


def _masked(error: BaseException) -> dict:
    """An unexpected failure: logged with an id; its text reaches clients only in DEBUG.

    A statement the database cancelled at statement_timeout is TIMEOUT; a database
    that cannot be reached (restarting, failing over) is SERVICE_UNAVAILABLE: the
    client may retry, as it would after the middleware's 503.
    """
    error_id = uuid.uuid4().hex
    if getattr(error.__cause__, "pgcode", None) == _QUERY_CANCELED:
        logger.warning("statement timeout %s", error_id)
        code = "TIMEOUT"
        message = f"The request ran past its budget (id {error_id}); ask for less."
    elif isinstance(error, OperationalError | InterfaceError):
        logger.error("Database unavailable %s", error_id, exc_info=error)
        code = "SERVICE_UNAVAILABLE"
        message = f"The database is unavailable; retry (id {error_id})."
    else:
        logger.error("Unexpected GraphQL error %s", error_id, exc_info=error)
        code = "INTERNAL_ERROR"
        message = f"Internal error (id {error_id})."
    if settings.DEBUG:
        message = str(error)
    return {"message": message, "extensions": {"code": code, "errorId": error_id}}
