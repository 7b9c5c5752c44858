"""The caller's IP address, resolved once per request.

Forwarded headers are only believed when the service is configured to sit
behind proxies (TRUSTED_PROXY_COUNT) and, if TRUSTED_PROXIES is set, when the
connection really comes from one of them. Otherwise the socket address is the
client: a caller that reaches the service directly could write any
X-Forwarded-For it likes and escape its rate limit or its block.

Behind N proxies, each appending to X-Forwarded-For, the client is the N-th
address from the right of that header (the last proxy is the socket peer and
appears in no header); addresses further left were written by the caller and
are ignored. django-ipware parses the header (ports, IPv6, junk entries).

Rate limits count an IPv6 caller per /64, the block one subscriber is given (any
address in it costs the caller nothing), and an IPv4-mapped IPv6 address as the
IPv4 address it is: see `rate_limit_key`.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from ipware import get_client_ip

_FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR",)
UNKNOWN = "0.0.0.0"  # a request without a usable socket address (never over real HTTP)


def client_ip(request) -> str:
    cached = getattr(request, "_nexus_client_ip", None)
    if cached is None:
        cached = request._nexus_client_ip = _resolve(request)
    return cached


def _resolve(request) -> str:
    # The socket address comes from the server, not the caller: no parsing on the common path.
    peer = request.META.get("REMOTE_ADDR") or UNKNOWN
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return peer
    peer = _valid(peer) or UNKNOWN
    if not _trusted_peer(peer, tuple(settings.TRUSTED_PROXIES)):
        return peer
    forwarded, _ = get_client_ip(
        request,
        proxy_order="left-most",
        # ipware counts the proxies listed in the header; the last one is the socket peer.
        proxy_count=count - 1,
        request_header_order=_FORWARDED_HEADERS,
        strict=False,
    )
    return _valid(forwarded) or peer


@lru_cache(maxsize=4096)
def rate_limit_key(ip: str) -> str:
    """The part of an address a caller is counted by: IPv4 whole, IPv6 per /64."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]  # never over real HTTP (the server gives the peer); still one bucket
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        # From the integer: a scope id ("fe80::1%eth0") belongs to no network string.
        return f"{ipaddress.IPv6Address(int(address) >> 64 << 64)}/64"
    return str(address)


def _valid(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def _trusted_peer(peer: str, proxies: tuple[str, ...]) -> bool:
    if not proxies:
        return True  # TRUSTED_PROXY_COUNT alone: the network keeps direct callers out
    address = ipaddress.ip_address(peer)
    return any(address in network for network in _networks(proxies))


def check_proxy_settings() -> None:
    if settings.TRUSTED_PROXY_COUNT < 0:
        raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")
    try:
        _networks(tuple(settings.TRUSTED_PROXIES))
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)
