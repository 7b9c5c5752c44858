"""The one adapter over django-graphql-jwt (pinned, unmaintained): swap it here."""

import graphql_jwt
from django.contrib.auth.models import AnonymousUser
from graphql_jwt import utils as jwt_utils
from graphql_jwt.exceptions import JSONWebTokenError
from graphql_jwt.refresh_token.shortcuts import create_refresh_token
from graphql_jwt.refresh_token.signals import refresh_token_rotated
from graphql_jwt.shortcuts import get_token

# `Authorization: JWT <token>` is the contract; `Bearer` is accepted too.
AUTH_PREFIXES = ("jwt", "bearer")


class InvalidToken(Exception):
    """A token was sent but it is garbled, forged, expired or names no active user."""


def token_from_request(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.strip():
        return None
    prefix, _, token = header.strip().partition(" ")
    if prefix.lower() not in AUTH_PREFIXES or not token.strip():
        raise InvalidToken("Authorization header must be 'JWT <token>' or 'Bearer <token>'.")
    return token.strip()


def user_from_token(token: str):
    try:
        payload = jwt_utils.get_payload(token)
        user = jwt_utils.get_user_by_payload(payload)
    except JSONWebTokenError as error:
        raise InvalidToken(str(error)) from None
    except (TypeError, ValueError, AttributeError):
        raise InvalidToken("Invalid token") from None
    if user is None:
        raise InvalidToken("Invalid token")
    return user


def viewer_of(request):
    """The request's user from its token, or anonymous. Sessions are not consulted."""
    token = token_from_request(request)
    return AnonymousUser() if token is None else user_from_token(token)


def issue_tokens(user) -> tuple[str, str]:
    """An access token and a long-running refresh token for a new session."""
    return get_token(user), str(create_refresh_token(user))


def is_token_error(error: BaseException) -> bool:
    return isinstance(error, JSONWebTokenError)


# The library's mutations, re-exported so the rest of the schema never imports it.
TokenAuth = graphql_jwt.ObtainJSONWebToken
VerifyToken = graphql_jwt.Verify
RefreshToken = graphql_jwt.Refresh
RevokeToken = graphql_jwt.Revoke


def _revoke_rotated(sender, request, refresh_token, **kwargs):
    """A refresh token is good for one refresh: the one it was exchanged for replaces it."""
    refresh_token.revoke(request)


refresh_token_rotated.connect(_revoke_rotated, dispatch_uid="nexus-revoke-rotated-refresh-token")
