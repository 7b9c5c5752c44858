"""The one builder of error responses that are not a GraphQL execution result.

Refusals before execution (bad method, body, token, a limit, a rate limit, a
blocked address, an outage) all answer in the GraphQL error shape, so a client
reads every failure the same way: `{"errors": [{"message", "extensions": {"code"}}]}`.
"""

from django.http import JsonResponse


def error_response(
    message: str, code: str, status: int, *, retry_after: int | None = None, **extensions
) -> JsonResponse:
    error = {"message": message, "extensions": {"code": code, **extensions}}
    if retry_after is not None:
        error["extensions"]["retryAfter"] = retry_after
    response = JsonResponse({"errors": [error]}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
