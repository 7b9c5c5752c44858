"""The one adapter over django-graphql-jwt (pinned, unmaintained): swap it here."""

import graphql_jwt
from django.db import transaction
from graphql_jwt import utils as jwt_utils
from graphql_jwt.exceptions import JSONWebTokenError
from graphql_jwt.refresh_token.shortcuts import create_refresh_token
from graphql_jwt.refresh_token.signals import refresh_token_rotated
from graphql_jwt.refresh_token.utils import get_refresh_token_model
from graphql_jwt.settings import jwt_settings
from graphql_jwt.shortcuts import get_token

from hub.services.rules import find_unstorable_error
from nexus_graphql.signin_guard import take_refusal


class InvalidToken(Exception):
    """A token was sent but it is garbled, forged, expired or names no active user."""


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


def issue_tokens(user) -> tuple[str, str]:
    """An access token and a long-running refresh token for a new session."""
    return get_token(user), str(create_refresh_token(user))


def is_token_error(error: BaseException) -> bool:
    return isinstance(error, JSONWebTokenError)


def _claim_refresh_token(info, refresh_token, *, for_refresh: bool) -> str:
    """Lock the token's row until the transaction ends; refuse a spent or unusable one.

    Of concurrent redemptions the first revokes the token (rotation or sign-out) and
    commits; the others then find no unrevoked row under the lock and are refused.
    """
    if refresh_token is None:  # the library's fallback, so both paths take the lock
        refresh_token = info.context.COOKIES.get(jwt_settings.JWT_REFRESH_TOKEN_COOKIE_NAME)
    if refresh_token is None:
        raise JSONWebTokenError("Refresh token is required")
    if find_unstorable_error("refresh_token", refresh_token) is not None:
        raise JSONWebTokenError("Invalid refresh token")
    row = (
        get_refresh_token_model()
        .objects.select_for_update(of=("self",))
        .filter(token=refresh_token, revoked__isnull=True)
        .select_related("user")
        .first()
    )
    if row is None:
        raise JSONWebTokenError("Invalid refresh token")
    if for_refresh and not row.user.is_active:
        raise JSONWebTokenError("User is disabled")
    return refresh_token


_PAYLOAD = "The token's claims: `username`, `exp` and `origIat` (Unix times, in seconds)."
_TOKEN = "The access token (a JWT): send it as `Authorization: JWT <token>`; it expires after "
_TOKEN += "JWT_EXPIRATION_MINUTES (15 by default)."
_REFRESH = "A refresh token: exchange it once for new tokens with `refreshToken`, or revoke it."
_REFRESH_EXPIRES = "When the refresh token expires (Unix time, in seconds)."


class _Described:
    """Descriptions for graphql_jwt's payload fields and arguments, which it adds without any
    when the mutation's Field is made (hence set here, after it)."""

    field_descriptions: dict[str, str] = {}
    argument_descriptions: dict[str, str] = {}

    @classmethod
    def Field(cls, *args, **kwargs):
        field = super().Field(*args, **kwargs)
        for name, payload_field in cls._meta.fields.items():
            payload_field.description = payload_field.description or cls.field_descriptions.get(
                name
            )
        for name, argument in field.args.items():
            argument.description = argument.description or cls.argument_descriptions.get(name)
        return field


# graphql_jwt's refresh, good once per refresh token even under concurrency (a comment, not
# a docstring: graphene would print it into schema.graphql).
class RefreshToken(_Described, graphql_jwt.Refresh):
    class Meta:
        name = "Refresh"
        description = "What `refreshToken` returns: a new access token and refresh token."

    field_descriptions = {
        "payload": _PAYLOAD,
        "token": _TOKEN,
        "refresh_token": _REFRESH + " The one sent is spent.",
        "refresh_expires_in": _REFRESH_EXPIRES,
    }
    argument_descriptions = {
        "refresh_token": "The refresh token from `tokenAuth`, `register` or an earlier "
        "`refreshToken`; good once."
    }

    @classmethod
    def mutate(cls, root, info, refresh_token=None, **kwargs):
        with transaction.atomic():
            token = _claim_refresh_token(info, refresh_token, for_refresh=True)
            return super().mutate(root, info, refresh_token=token, **kwargs)


# graphql_jwt's revoke: of concurrent revokes of one token, one succeeds.
class RevokeToken(_Described, graphql_jwt.Revoke):
    class Meta:
        name = "Revoke"
        description = "What `revokeToken` returns."

    field_descriptions = {"revoked": "When the refresh token was revoked (Unix time, in seconds)."}
    argument_descriptions = {"refresh_token": "The refresh token to revoke."}

    @classmethod
    def mutate(cls, root, info, refresh_token=None, **kwargs):
        with transaction.atomic():
            token = _claim_refresh_token(info, refresh_token, for_refresh=False)
            return super().mutate(root, info, refresh_token=token, **kwargs)


# graphql_jwt's sign-in; a sign-in refused because the account or address is locked
# (nexus_graphql.signin_guard) is RATE_LIMITED with retryAfter, not "invalid credentials".
class TokenAuth(_Described, graphql_jwt.ObtainJSONWebToken):
    class Meta:
        name = "ObtainJSONWebToken"
        description = "What `tokenAuth` returns: an access token and a refresh token."

    field_descriptions = {
        "payload": _PAYLOAD,
        "token": _TOKEN,
        "refresh_token": _REFRESH,
        "refresh_expires_in": _REFRESH_EXPIRES,
    }
    argument_descriptions = {
        "username": "The contributor's username.",
        "password": "Their password.",
    }

    @classmethod
    def mutate(cls, root, info, **kwargs):
        # Credentials no database can store (NUL, lone surrogates) match no account.
        if any(find_unstorable_error(name, value) for name, value in kwargs.items()):
            raise JSONWebTokenError("Please enter valid credentials")
        try:
            return super().mutate(root, info, **kwargs)
        except JSONWebTokenError:
            if (locked := take_refusal()) is not None:
                raise locked.as_graphql_error() from None
            raise


# graphql_jwt's verify: a token no UTF-8 encoder takes (a lone surrogate) is invalid, not
# an internal error.
class VerifyToken(_Described, graphql_jwt.Verify):
    class Meta:
        name = "Verify"
        description = "What `verifyToken` returns: the claims of a valid token."

    field_descriptions = {"payload": _PAYLOAD}
    argument_descriptions = {"token": "An access token."}

    @classmethod
    def mutate(cls, root, info, token=None, **kwargs):
        if find_unstorable_error("token", token) is not None:
            raise JSONWebTokenError("Invalid token")
        return super().mutate(root, info, token=token, **kwargs)


def _revoke_rotated(sender, request, refresh_token, **kwargs):
    """A refresh token is good for one refresh: the one it was exchanged for replaces it."""
    refresh_token.revoke(request)


refresh_token_rotated.connect(_revoke_rotated, dispatch_uid="nexus-revoke-rotated-refresh-token")
