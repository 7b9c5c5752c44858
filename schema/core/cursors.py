"""Opaque cursors: a position in one ordering of one connection, signed.

A cursor is the unpadded URL-safe base64 of a 12-byte HMAC (SECRET_KEY) followed by a
versioned JSON document: `{"v": 1, "c": "<Type.field>", "o": "<orderBy>", "p": [...]}`,
`p` being the position's key values (hub.selectors.paging). The signature makes a forged
or altered cursor an error rather than a silently different page; the connection and
ordering make another list's cursor one too. Every failure is BAD_USER_INPUT.
"""

import base64
import binascii
import hmac
import json

from django.utils.crypto import salted_hmac
from graphql import GraphQLError

VERSION = 1
_SALT = "nexus.cursor"
_MAC_BYTES = 12
# Longer than any cursor this API writes (keys are short; titles are at most 200 chars).
MAX_LENGTH = 2048


def bad_cursor(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def _mac(payload: bytes) -> bytes:
    return salted_hmac(_SALT, payload, algorithm="sha256").digest()[:_MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def encode_cursor(*, connection: str, order: str, position: list) -> str:
    payload = json.dumps(
        {"v": VERSION, "c": connection, "o": order, "p": position},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    return _b64(_mac(payload) + payload)


def decode_cursor(cursor: str, *, connection: str, order: str, argument: str) -> list:
    """The position inside `cursor`, if it is one of this connection and ordering."""
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_LENGTH:
        raise bad_cursor(f"`{argument}` is not a cursor of this API.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise bad_cursor(f"`{argument}` is not a cursor of this API.") from None
    # Only the cursor as written is valid (base64 leaves a few bits unused).
    if _b64(raw) != cursor or len(raw) <= _MAC_BYTES:
        raise bad_cursor(f"`{argument}` is not a cursor of this API.")
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(payload)):
        raise bad_cursor(f"`{argument}` is not a cursor of this API (altered or forged).")
    try:
        document = json.loads(payload)
    except ValueError:
        raise bad_cursor(f"`{argument}` is not a cursor of this API.") from None
    if not isinstance(document, dict) or document.get("v") != VERSION:
        raise bad_cursor(f"`{argument}` is a cursor of an older version: page from the start.")
    if document.get("c") != connection:
        raise bad_cursor(
            f"`{argument}` is a cursor of another list ({document.get('c')}), not of {connection}."
        )
    if document.get("o") != order:
        raise bad_cursor(
            f"`{argument}` is a cursor of another ordering ({document.get('o') or 'default'}), "
            f"not of {order or 'default'}: page from the start after changing orderBy."
        )
    position = document.get("p")
    if not isinstance(position, list):
        raise bad_cursor(f"`{argument}` is not a cursor of this API.")
    return position
