"""The GraphQL endpoint.

One pass per request, in this order: method and body rules, the viewer from the
token (once, not per field), the parsed and validated document (cached), query
limits, the anonymous response cache, execution, error shapes. Nothing here
knows the domain: resolvers call hub selectors and services.
"""

import json
import logging
import re
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast

from hub.errors import ApplicationError
from nexus_graphql import metrics, ratelimit, response_cache
from nexus_graphql.documents import DocumentCache
from nexus_graphql.execution import LeanExecutionContext
from nexus_graphql.graphiql import page_context as graphiql_page_context
from schema.accounts.tokens import InvalidToken, is_token_error, viewer_of
from schema.core.limits import QueryLimitExceeded, QueryLimits, check_limits

logger = logging.getLogger("nexus.graphql")

_JSON_TYPES = {"application/json", "application/graphql"}
_DID_YOU_MEAN = re.compile(r" Did you mean .*\?$")


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST"):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


def error_response(message: str, code: str, status: int, **headers) -> JsonResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


# Token-authenticated API: sessions are ignored here, so CSRF cannot ride on a cookie.
@method_decorator(csrf_exempt, name="dispatch")
class NexusGraphQLView(GraphQLView):
    graphiql = True
    documents: DocumentCache | None = None

    def __init__(self, **kwargs):
        kwargs.setdefault("middleware", [])  # no per-field middleware: auth is per request
        super().__init__(**kwargs)
        schema = self.schema.graphql_schema
        if type(self).documents is None or type(self).documents.schema is not schema:
            type(self).documents = DocumentCache(schema, settings.GRAPHQL_DOCUMENT_CACHE_SIZE)
        self.limits = QueryLimits(**settings.GRAPHQL_QUERY_LIMITS)

    def dispatch(self, request, *args, **kwargs):
        try:
            return self._dispatch(request)
        except BadRequest as error:
            return error_response(error.message, error.code, error.status)
        except InvalidToken as error:
            return error_response(str(error), "UNAUTHENTICATED", 401)

    def _dispatch(self, request):
        if (refused := ratelimit.charge_request(request)) is not None:
            return refused
        if request.method not in ("GET", "POST"):
            raise BadRequest("GraphQL is served over GET and POST.", 405, "METHOD_NOT_ALLOWED")
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.GRAPHQL_MAX_BODY_BYTES:
            raise BadRequest(
                f"Request body over {settings.GRAPHQL_MAX_BODY_BYTES} bytes.", 413, "BODY_TOO_LARGE"
            )
        if request.method == "GET" and self.can_display_graphiql(request, {}):
            return self.render_graphiql(request, **self._graphiql_context())
        request.user = viewer_of(request)
        query, variables, operation_name = self._params(request)
        return self._execute(request, query, variables, operation_name)

    def _params(self, request):
        if request.method == "POST":
            content_type = self.get_content_type(request)
            if content_type not in _JSON_TYPES:
                raise BadRequest(
                    "POST bodies must be application/json.", 415, "UNSUPPORTED_MEDIA_TYPE"
                )
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

    @metrics.observe_operation
    def _execute(self, request, query, variables, operation_name):
        document = self.documents.get(query)
        if (refused := ratelimit.enforce(request, document, operation_name)) is not None:
            return refused
        if document.errors:
            return self._respond(request, ExecutionResult(None, list(document.errors)), 400, False)
        operation = get_operation_ast(document.ast, operation_name)
        if operation is None:
            if operation_name:
                raise BadRequest(f"The document has no operation named {operation_name!r}.")
            raise BadRequest("Name the operation to run (operationName) among several.")
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            raise BadRequest("Mutations are sent with POST.", 405, "METHOD_NOT_ALLOWED")
        # A cached answer exists only for a query that passed the limits when it ran.
        cache_key = None
        if self._cacheable(request, operation):
            generation = response_cache.current_generation()
            if generation is not None:
                cache_key = response_cache.response_key(
                    generation, document.fingerprint, variables, operation_name
                )
                cached = response_cache.get(cache_key)
                if cached is not None:
                    return self._cached_response(request, cached, cache_key)

        schema = self.schema.graphql_schema
        try:
            check_limits(schema, document.ast, operation_name, variables, self.limits)
        except QueryLimitExceeded as error:
            return error_response(error.message, error.code, 400)

        result = execute(
            schema,
            document.ast,
            context_value=request,
            variable_values=variables,
            operation_name=operation_name,
            middleware=self.middleware or None,
            execution_context_class=LeanExecutionContext
            if settings.GRAPHQL_LEAN_EXECUTION
            else None,
        )
        response = self._respond(request, result, 200)
        if cache_key and not result.errors:
            response_cache.put(cache_key, response.content)
            self._add_validators(request, response, cache_key)
        return response

    @staticmethod
    def _cacheable(request, operation) -> bool:
        return (
            settings.GRAPHQL_RESPONSE_CACHE
            and operation.operation == OperationType.QUERY
            and not request.user.is_authenticated
        )

    def _respond(self, request, result, status: int, executed: bool = True) -> HttpResponse:
        """The JSON body; `data` is present whenever execution started (per the spec)."""
        body = {}
        if result.errors:
            body["errors"] = [self.format_error(e) for e in result.errors]
        if executed:
            body["data"] = result.data
        return HttpResponse(
            json.dumps(body, separators=(",", ":")), status=status, content_type="application/json"
        )

    def _cached_response(self, request, body: bytes, key: str) -> HttpResponse:
        etag = f'"{key.rsplit(":", 1)[-1][:32]}"'
        if request.method == "GET" and request.META.get("HTTP_IF_NONE_MATCH") == etag:
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type="application/json")
        self._add_validators(request, response, key)
        return response

    @staticmethod
    def _add_validators(request, response, key: str) -> None:
        if request.method == "GET":
            response["ETag"] = f'"{key.rsplit(":", 1)[-1][:32]}"'
            response["Cache-Control"] = "public, no-cache"

    def _graphiql_context(self) -> dict:
        return {
            "whatwg_fetch_version": self.whatwg_fetch_version,
            "whatwg_fetch_sri": self.whatwg_fetch_sri,
            "react_version": self.react_version,
            "react_sri": self.react_sri,
            "react_dom_sri": self.react_dom_sri,
            "graphiql_version": self.graphiql_version,
            "graphiql_sri": self.graphiql_sri,
            "graphiql_css_sri": self.graphiql_css_sri,
            "subscriptions_transport_ws_version": self.subscriptions_transport_ws_version,
            "subscriptions_transport_ws_sri": self.subscriptions_transport_ws_sri,
            "graphiql_plugin_explorer_version": self.graphiql_plugin_explorer_version,
            "graphiql_plugin_explorer_sri": self.graphiql_plugin_explorer_sri,
            "graphiql_plugin_explorer_css_sri": self.graphiql_plugin_explorer_css_sri,
            "subscription_path": self.subscription_path,
            "graphiql_header_editor_enabled": graphene_settings.GRAPHIQL_HEADER_EDITOR_ENABLED,
            "graphiql_should_persist_headers": graphene_settings.GRAPHIQL_SHOULD_PERSIST_HEADERS,
            "graphiql_input_value_deprecation": graphene_settings.GRAPHIQL_INPUT_VALUE_DEPRECATION,
            # The page itself loads GraphiQL from static files (nexus_graphql/graphiql.py).
            **graphiql_page_context(),
        }

    @staticmethod
    @metrics.count_error
    def format_error(error):
        if not isinstance(error, GraphQLError):
            return _masked(error)
        formatted = error.formatted
        if not settings.DEBUG:
            formatted["message"] = _DID_YOU_MEAN.sub("", formatted["message"])
        original = error.original_error
        if isinstance(original, ApplicationError):
            formatted["extensions"] = {"code": original.code.value}
            if original.field:
                formatted["extensions"]["field"] = original.field
        elif original is not None and is_token_error(original):
            # Bad credentials, expired, revoked or forged tokens.
            formatted["extensions"] = {"code": "UNAUTHENTICATED"}
        elif original is not None and not isinstance(original, GraphQLError):
            if isinstance(original, AssertionError | ValueError):
                # graphene's own argument checks (e.g. `first` over the limit).
                formatted["extensions"] = {"code": "BAD_USER_INPUT"}
            else:
                formatted.update(_masked(original))
        elif not error.path and "extensions" not in formatted:
            formatted["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
        return formatted


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The body is not UTF-8.") from None


def _masked(error: BaseException) -> dict:
    """An unexpected failure: logged with an id; its text reaches clients only in DEBUG.

    A database that cannot be reached (restarting, failing over) is SERVICE_UNAVAILABLE:
    the client may retry, as it would after the middleware's 503.
    """
    error_id = uuid.uuid4().hex
    logger.error("Unexpected GraphQL error %s", error_id, exc_info=error)
    if isinstance(error, OperationalError | InterfaceError):
        code = "SERVICE_UNAVAILABLE"
        message = f"The database is unavailable; retry (id {error_id})."
    else:
        code = "INTERNAL_ERROR"
        message = f"Internal error (id {error_id})."
    if settings.DEBUG:
        message = str(error)
    return {"message": message, "extensions": {"code": code, "errorId": error_id}}
