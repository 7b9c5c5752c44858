"""A blocked address is blocked on every path: each URL pattern (the resolver walked, admin
included), /readyz and /metrics, static files, unknown paths, with every method.

/healthz is the one exception, by design: it answers anyone without I/O, and reading the
blocklist is I/O (nexus_graphql.health). Blocking the address of a node also fails the
readiness probes of the pods on it: that is the operator's choice.
"""

import json
import string

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexus_graphql import health
from traffic import services as traffic_services
from traffic.models import RequestLog
from traffic.selectors import forget_blocklist

pytestmark = pytest.mark.usefixtures("traffic")

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"]
# Had the request gone through, it would have written a user.
REGISTER = json.dumps(
    {
        "query": 'mutation { register(input: {username: "blocked", email: "b@example.com",'
        ' password: "a long passphrase", track: BACKEND}) { errors { code } } }'
    }
)
PATH_CHARACTERS = string.ascii_letters + string.digits + "-_.~/%"


def url_regexes(resolver=None, prefix="") -> list[str]:
    """Every URL pattern as one anchored regex of the whole path."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        part = pattern.pattern.regex.pattern.removeprefix("^")
        part = part.removesuffix(r"\Z").removesuffix("$")
        if isinstance(pattern, URLResolver):
            found += url_regexes(pattern, prefix + part)
        else:
            found.append(rf"\A/{prefix}{part}\Z")
    return found


def static_paths() -> list[str]:
    return sorted(
        f"/static/{path}" for finder in finders.get_finders() for path, _ in finder.list([])
    )


def path_matching(regex: str):
    return st.from_regex(regex, fullmatch=True, alphabet=PATH_CHARACTERS)


any_path = st.one_of(
    st.deferred(lambda: st.sampled_from(url_regexes())).flatmap(path_matching),
    st.sampled_from([path for path in health.PATHS if path not in health.LIVENESS_PATHS]),
    st.deferred(lambda: st.sampled_from(static_paths())),
    path_matching(r"\A/[A-Za-z0-9._~%/-]{0,40}\Z"),  # mostly unknown paths: 404s
)
addresses = st.one_of(
    st.ip_addresses(v=4, network="203.0.113.0/24"), st.ip_addresses(v=6, network="2001:db8::/32")
)


def request(address, method: str, path: str):
    client = Client(REMOTE_ADDR=str(address), HTTP_ACCEPT="text/html,application/json")
    return client.generic(method, path, REGISTER, content_type="application/json")


def assert_blocked(response, method: str, path: str):
    assert response.status_code == 403, (method, path, response.status_code)
    if method != "HEAD":  # a HEAD answer has no body
        code = response.json()["errors"][0]["extensions"]["code"]
        assert code == "IP_BLOCKED", (method, path)


def block(address) -> None:
    traffic_services.block_ip(ip=str(address), reason="test")
    forget_blocklist()  # as the block's commit does (tests run inside one transaction)


def reaches_the_traffic_middleware(path: str) -> bool:
    return path not in health.PATHS


def test_the_walk_finds_every_kind_of_path():
    regexes = url_regexes()
    assert any("graphql" in regex for regex in regexes)
    assert sum("admin" in regex for regex in regexes) > 20
    assert "/static/admin/css/base.css" in static_paths()


@settings(max_examples=3, derandomize=True, database=None, deadline=None)
@given(data=st.data(), address=addresses)
def test_every_url_pattern_and_method_is_refused_to_a_blocked_address(data, address):
    block(address)
    users, logs = get_user_model().objects.count(), RequestLog.objects.count()
    sent = 0

    for regex in url_regexes():
        path = data.draw(path_matching(regex), label=regex)
        for method in METHODS:
            assert_blocked(request(address, method, path), method, path)
            sent += 1

    assert get_user_model().objects.count() == users  # nothing went through
    rows = RequestLog.objects.order_by("id")[logs:]
    assert len(rows) == sent
    assert {(row.ip, row.status) for row in rows} == {(str(address), 403)}


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(address=addresses, method=st.sampled_from(METHODS), path=any_path)
def test_any_request_from_a_blocked_address_is_refused(address, method, path):
    block(address)
    users, logs = get_user_model().objects.count(), RequestLog.objects.count()

    assert_blocked(request(address, method, path), method, path)

    assert get_user_model().objects.count() == users
    logged = RequestLog.objects.order_by("id")[logs:]
    expected = [(str(address), 403)] if reaches_the_traffic_middleware(path) else []
    assert [(row.ip, row.status) for row in logged] == expected


@settings(max_examples=1, derandomize=True, database=None, deadline=None)
@given(data=st.data())
def test_the_same_requests_from_another_address_are_not_refused(data):
    # Proof that the paths above lead somewhere: only the blocked address is refused.
    block("203.0.113.66")
    paths = [data.draw(path_matching(regex), label=regex) for regex in url_regexes()]
    paths += [*health.PATHS, "/static/admin/css/base.css", "/no-such-page/"]

    for path in paths:
        for method in METHODS:
            response = request("203.0.113.67", method, path)
            assert response.status_code < 500, (method, path, response.status_code)
            if response.status_code == 403 and method != "HEAD":
                assert b"IP_BLOCKED" not in response.content, (method, path)


@pytest.mark.parametrize("path", health.LIVENESS_PATHS)
def test_liveness_answers_a_blocked_address(path):
    block("203.0.113.66")

    assert request("203.0.113.66", "GET", path).status_code == 200
