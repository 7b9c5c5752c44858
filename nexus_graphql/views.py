"""The GraphQL endpoint: body rules, the viewer from the token, error shapes."""

import logging
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import GraphQLError

from hub.errors import ApplicationError
from schema.accounts.tokens import InvalidToken, is_token_error, viewer_of

logger = logging.getLogger("nexus.graphql")

_JSON_TYPES = {"application/json", "application/graphql"}


def error_response(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status=status
    )


# Token-authenticated API: sessions are ignored here, so CSRF cannot ride on a cookie.
@method_decorator(csrf_exempt, name="dispatch")
class NexusGraphQLView(GraphQLView):
    graphiql = True

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and self.get_content_type(request) not in _JSON_TYPES:
            return error_response(
                "POST bodies must be application/json.", "UNSUPPORTED_MEDIA_TYPE", 415
            )
        try:
            request.user = viewer_of(request)
        except InvalidToken as error:
            return error_response(str(error), "UNAUTHENTICATED", 401)
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def format_error(error):
        if isinstance(error, HttpError):
            return {"message": str(error.message or error), "extensions": {"code": "BAD_REQUEST"}}
        if not isinstance(error, GraphQLError):
            return _masked(error)
        formatted = error.formatted
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
        return formatted


def _masked(error: BaseException) -> dict:
    """An unexpected failure: logged with an id; its text reaches clients only in DEBUG."""
    error_id = uuid.uuid4().hex
    logger.error("Unexpected GraphQL error %s", error_id, exc_info=error)
    message = str(error) if settings.DEBUG else "Internal error."
    return {"message": message, "extensions": {"code": "INTERNAL_ERROR", "errorId": error_id}}
