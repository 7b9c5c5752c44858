"""What HTTP caches (browsers, CDNs) may do with a GraphQL answer, decided in one place.

Only a successful anonymous query sent with GET is public: `Cache-Control: public,
max-age=GRAPHQL_HTTP_MAX_AGE` and a weak `ETag` computed from the body (and its media
type); a request whose `If-None-Match` matches it (weak comparison, RFC 9110) gets a 304.
Everything else the endpoint answers is `private, no-store`: signed-in answers, errors
(a PersistedQueryNotFound must never be cached), mutations, POSTs. Every answer varies
on `Accept` (the media type and the status rules follow it) and `Authorization`.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

VARY = ("Accept", "Authorization")
PRIVATE = "private, no-store"
# Headers a 304 repeats (RFC 9110 15.4.5), plus the endpoint's own diagnostics.
_KEPT_ON_304 = ("ETag", "Cache-Control", "Vary", "X-Cache", "X-Persisted-Query")


def finish(request, response: HttpResponse, *, public: bool) -> HttpResponse:
    patch_vary_headers(response, VARY)
    if not (public and request.method == "GET" and response.status_code == 200):
        response["Cache-Control"] = PRIVATE
        return response
    max_age = settings.GRAPHQL_HTTP_MAX_AGE
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age > 0 else "public, no-cache"
    etag = weak_etag(response)
    response["ETag"] = etag
    if not if_none_match_passes(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
        not_modified = HttpResponse(status=304)
        del not_modified["Content-Type"]  # a 304 has no body to describe
        for header in _KEPT_ON_304:
            if header in response:
                not_modified[header] = response[header]
        return not_modified
    return response


def weak_etag(response: HttpResponse) -> str:
    digest = hashlib.sha256(response["Content-Type"].encode() + b"\n" + response.content)
    return f'W/"{digest.hexdigest()[:32]}"'


def if_none_match_passes(header: str, etag: str) -> bool:
    """False when `If-None-Match` names this representation: the client has it (a 304)."""
    if not header.strip():
        return True
    tags = parse_etags(header)
    if tags == ["*"]:
        return False
    opaque = _opaque(etag)
    return all(_opaque(tag) != opaque for tag in tags)


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag
