"""Who is asking: the viewer of a request, from its Authorization header, once per request.

`Authorization: JWT <token>` is the contract; `Bearer <token>` is accepted too.
Sessions are never consulted on the API (a cookie cannot carry a cross-site request).
The token itself is read by the one adapter over django-graphql-jwt
(schema.accounts.tokens), so the library can be swapped there.
"""

from django.contrib.auth.models import AnonymousUser

from schema.accounts.tokens import InvalidToken, user_from_token

AUTH_PREFIXES = ("jwt", "bearer")


def token_from_request(request) -> str | None:
    return token_from_header(request.META.get("HTTP_AUTHORIZATION", ""))


def token_from_header(header: str) -> str | None:
    """The token of an Authorization value (HTTP header or connection_init payload)."""
    if not header.strip():
        return None
    prefix, _, token = header.strip().partition(" ")
    if prefix.lower() not in AUTH_PREFIXES or not token.strip():
        raise InvalidToken("Authorization header must be 'JWT <token>' or 'Bearer <token>'.")
    return token.strip()


def viewer_of(request):
    """The request's user from its token, or anonymous; InvalidToken for a bad token."""
    token = token_from_request(request)
    return AnonymousUser() if token is None else user_from_token(token)
