"""The one adapter over django-graphql-jwt (pinned, unmaintained): swap it here."""

from django.contrib.auth.models import AnonymousUser
from graphql_jwt import utils as jwt_utils
from graphql_jwt.exceptions import JSONWebTokenError

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
