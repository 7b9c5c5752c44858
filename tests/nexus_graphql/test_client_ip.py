"""The client address: the socket peer unless trusted proxies say otherwise."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from nexus_graphql.client_ip import check_proxy_settings, client_ip


def request_from(peer: str, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return RequestFactory().get("/graphql/", REMOTE_ADDR=peer, headers=headers)


def test_without_proxies_the_socket_address_is_the_client_and_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("198.51.100.7", forwarded="1.2.3.4")) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    # The caller wrote "1.2.3.4"; the proxy appended the address it saw.
    request = request_from("10.0.0.2", forwarded="1.2.3.4, 198.51.100.7")

    assert client_ip(request) == "198.51.100.7"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    request = request_from("10.0.0.2", forwarded="1.2.3.4, 198.51.100.7, 10.0.0.9")

    assert client_ip(request) == "198.51.100.7"


def test_a_peer_outside_the_trusted_proxies_cannot_forward(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    direct = request_from("198.51.100.7", forwarded="1.2.3.4")
    proxied = request_from("10.1.2.3", forwarded="1.2.3.4, 203.0.113.5")

    assert client_ip(direct) == "198.51.100.7"
    assert client_ip(proxied) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "garbage", "not-an-ip, also-not"])
def test_a_missing_or_garbled_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("10.0.0.2", forwarded=forwarded)) == "10.0.0.2"


def test_ipv6_addresses_are_normalized(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    request = request_from("::1", forwarded="2001:DB8:0:0::1")

    assert client_ip(request) == "2001:db8::1"


def test_misconfigured_proxies_fail_at_start(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "not a network"]

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        check_proxy_settings()
