"""The GraphQL endpoint: a plain Django view, one pass per request.

In this order, each step bounded before the next: the rate limit's charge for
the request itself (before anything is parsed), method and body rules, the
viewer from the token (once, not per field), the document (parsed within a
token limit, checked against the structural limits, validated; cached), the
rate limit's charge for what the operation does, the anonymous response cache,
the cost limit, execution within a deadline and a response-size budget, and the
answer's size. Nothing here knows the domain: resolvers call hub selectors and
services.
"""

import json
import logging
import re
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast

from hub.errors import ApplicationError
from nexus_graphql import metrics, ratelimit, response_cache
from nexus_graphql.authentication import viewer_of
from nexus_graphql.documents import documents, query_limits
from nexus_graphql.execution import (
    Budget,
    BudgetedExecutionContext,
    ExecutionAborted,
    LeanExecutionContext,
)
from nexus_graphql.graphiql import page_context as graphiql_page_context
from nexus_graphql.limits import QueryLimitExceeded, check_operation
from nexus_graphql.responses import error_response
from schema.accounts.tokens import InvalidToken, is_token_error

logger = logging.getLogger("nexus.graphql")

_JSON_TYPES = {"application/json", "application/graphql"}
_DID_YOU_MEAN = re.compile(r" Did you mean .*\?$")
# SQLSTATE of a statement cancelled by statement_timeout.
_QUERY_CANCELED = "57014"


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST"):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


# Token-authenticated API: sessions are ignored here, so CSRF cannot ride on a cookie.
@method_decorator(csrf_exempt, name="dispatch")
class NexusGraphQLView(View):
    def dispatch(self, request, *args, **kwargs):
        try:
            if (refused := ratelimit.charge_request(request)) is not None:
                return refused
            return self._dispatch(request)
        except BadRequest as error:
            return error_response(error.message, error.code, error.status)
        except InvalidToken as error:
            return error_response(str(error), "UNAUTHENTICATED", 401)

    def _dispatch(self, request):
        if request.method not in ("GET", "POST"):
            raise BadRequest("GraphQL is served over GET and POST.", 405, "METHOD_NOT_ALLOWED")
        if _content_length(request) > settings.GRAPHQL_MAX_BODY_BYTES:
            raise BadRequest(
                f"Request body over {settings.GRAPHQL_MAX_BODY_BYTES} bytes.", 413, "BODY_TOO_LARGE"
            )
        if request.method == "GET" and _wants_graphiql(request):
            return render(request, "graphene/graphiql.html", graphiql_page_context())
        request.user = viewer_of(request)
        query, variables, operation_name = _params(request)
        return self._execute(request, query, variables, operation_name)

    @metrics.observe_operation
    def _execute(self, request, query, variables, operation_name):
        document = documents.get(query)
        if (refused := ratelimit.enforce(request, document, operation_name)) is not None:
            return refused
        if document.errors:
            return _respond(ExecutionResult(None, list(document.errors)), 400, executed=False)
        operation = get_operation_ast(document.ast, operation_name)
        if operation is None:
            if operation_name:
                raise BadRequest(f"The document has no operation named {operation_name!r}.")
            raise BadRequest("Name the operation to run (operationName) among several.")
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            raise BadRequest("Mutations are sent with POST.", 405, "METHOD_NOT_ALLOWED")
        # A cached answer exists only for a query that passed the limits when it ran.
        cache_key = None
        if _cacheable(request, operation):
            cache_key = response_cache.response_key(document, operation, variables, operation_name)
            if cache_key is not None:
                cached = response_cache.get(cache_key)
                if cached is not None:
                    return _cached_response(request, cached, cache_key)

        schema = documents.schema
        try:
            check_operation(schema, document.ast, operation, variables, query_limits())
        except QueryLimitExceeded as error:
            return error_response(error.message, error.code, 400)

        request.graphql_budget = Budget(
            seconds=settings.GRAPHQL_EXECUTION_SECONDS,
            max_fields=settings.GRAPHQL_MAX_RESPONSE_FIELDS,
        )
        try:
            result = execute(
                schema,
                document.ast,
                context_value=request,
                variable_values=variables,
                operation_name=operation_name,
                execution_context_class=LeanExecutionContext
                if settings.GRAPHQL_LEAN_EXECUTION
                else BudgetedExecutionContext,
            )
        except ExecutionAborted as aborted:
            logger.warning("execution stopped: %s (%s)", aborted.code, operation_name or "-")
            return _respond(ExecutionResult(None, [_aborted_error(aborted)]), 200)
        response = _respond(result, 200)
        if len(response.content) > settings.GRAPHQL_MAX_RESPONSE_BYTES:
            too_large = ExecutionAborted(
                "RESPONSE_TOO_LARGE",
                f"The response would be over {settings.GRAPHQL_MAX_RESPONSE_BYTES} bytes; "
                "ask for less (smaller pages, fewer fields).",
            )
            return _respond(ExecutionResult(None, [_aborted_error(too_large)]), 200)
        if cache_key:
            response["X-Cache"] = "MISS"
            if not result.errors:
                response_cache.put(cache_key, response.content)
                _add_validators(request, response, cache_key)
        return response


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number.") from None


def _wants_graphiql(request) -> bool:
    if "raw" in request.GET:
        return False
    return request.get_preferred_type(["application/json", "text/html"]) == "text/html"


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
        if isinstance(data.get("variables"), str):
            try:
                data["variables"] = json.loads(data["variables"])
            except (ValueError, RecursionError):
                raise BadRequest("variables is not valid JSON.") from None
    query, variables = data.get("query"), data.get("variables")
    operation_name = data.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("Provide a query string.")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("variables must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("operationName must be a string.")
    return query, variables, operation_name


def _cacheable(request, operation) -> bool:
    return (
        settings.GRAPHQL_RESPONSE_CACHE
        and operation.operation == OperationType.QUERY
        and not request.user.is_authenticated
    )


def _respond(result, status: int, *, executed: bool = True) -> HttpResponse:
    """The JSON body; `data` is present whenever execution started (per the spec)."""
    body = {}
    if result.errors:
        body["errors"] = [format_error(e) for e in result.errors]
    if executed:
        body["data"] = result.data
    return HttpResponse(
        json.dumps(body, separators=(",", ":")), status=status, content_type="application/json"
    )


def _aborted_error(aborted: ExecutionAborted) -> GraphQLError:
    return GraphQLError(aborted.message, extensions={"code": aborted.code})


def _etag(key: str) -> str:
    return f'"{key.rsplit(":", 1)[-1][:32]}"'


def _cached_response(request, body: bytes, key: str) -> HttpResponse:
    if request.method == "GET" and request.META.get("HTTP_IF_NONE_MATCH") == _etag(key):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["X-Cache"] = "HIT"  # for operators and CDNs; the body is the same either way
    _add_validators(request, response, key)
    return response


def _add_validators(request, response, key: str) -> None:
    if request.method == "GET":
        response["ETag"] = _etag(key)
        response["Cache-Control"] = "public, no-cache"


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
