import contextlib
import json
import socket
import threading

import pytest
from django.core.cache import caches
from django.test import Client
from zeal import zeal_context

from nexus_graphql import persisted, response_cache
from tests.factories import PASSWORD, ContributorFactory
from traffic.middleware import request_log
from traffic.selectors import forget_blocklist

GRAPHQL_URL = "/graphql/"


@pytest.fixture
def figure(request):
    """`figure("...")` records a measured figure of this test; every run lists them at its end
    (`pytest -q` captures prints), so CI's log shows each pass's figures."""

    def record(line: str) -> None:
        request.node.user_properties.append(("figure", line))

    return record


def pytest_terminal_summary(terminalreporter):
    reports = [
        report
        for category in ("passed", "failed")
        for report in terminalreporter.stats.get(category, [])
        if report.when == "call"
    ]
    lines = [
        f"{report.nodeid.split('::')[-1]}: {value}"
        for report in reports
        for name, value in report.user_properties
        if name == "figure"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.line(line)


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test starts with an empty cache and without the response cache.

    Inside a test's transaction nothing commits, so the cache's invalidation
    (on commit) never runs: tests of the response cache turn it on themselves
    and use real transactions (tests/schema/test_response_cache.py).
    """
    settings.GRAPHQL_RESPONSE_CACHE = False
    clear_caches(settings)
    response_cache.local_bodies.clear()
    persisted.local_documents.clear()
    yield
    clear_caches(settings)
    response_cache.local_bodies.clear()
    persisted.local_documents.clear()


def clear_caches(settings) -> None:
    """Every configured cache: the default one, and the rate limits' ("ratelimit")."""
    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def no_traffic_tracking(settings):
    """No request-log writes or blocklist reads inside other tests' query counts.

    Tests of the traffic middleware turn it on (the `traffic` fixture).
    """
    settings.TRAFFIC_TRACKING = False


@pytest.fixture
def traffic(settings, db):
    """The traffic middleware on, writing each request's log row at once."""
    settings.TRAFFIC_TRACKING = True
    settings.REQUEST_LOG_BATCH_SIZE = 1
    settings.REQUEST_LOG_BACKGROUND_WRITES = False  # rows are there when the request returns
    request_log.discard()
    forget_blocklist()
    yield
    request_log.discard()
    forget_blocklist()


class GraphQLClient:
    """Talks to /graphql/ over HTTP like a frontend client.

    `query()` fails the test on any GraphQL error unless `expect_errors=True`,
    so an error swallowed by graphene (the N+1 guard, a bug) cannot pass silently.
    """

    def __init__(self):
        self.http = Client()
        self.token: str | None = None

    def post(self, query, variables=None, *, operation_name=None, headers=None):
        body = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        all_headers = {}
        if self.token:
            all_headers["Authorization"] = f"JWT {self.token}"
        all_headers.update(headers or {})
        # django-zeal raises on any relation loaded row by row (N+1) while serving the
        # request; graphene reports it as an error, which `query()` refuses.
        with zeal_context():
            return self.http.post(
                GRAPHQL_URL, json.dumps(body), content_type="application/json", headers=all_headers
            )

    def query(self, query, variables=None, *, expect_errors=False, **kwargs):
        response = self.post(query, variables, **kwargs)
        payload = response.json()
        if not expect_errors:
            assert response.status_code == 200, payload
            assert "errors" not in payload, payload["errors"]
            return payload["data"]
        assert payload.get("errors"), f"expected errors, got {payload}"
        return payload

    def login(self, contributor, password=PASSWORD):
        from graphql_jwt.shortcuts import get_token

        self.token = get_token(contributor.user)
        return self


@pytest.fixture
def gql(db):
    return GraphQLClient()


@pytest.fixture
def contributor(db):
    return ContributorFactory()


@pytest.fixture
def member_gql(gql, contributor):
    """A client signed in as `contributor`."""
    return gql.login(contributor)


@pytest.fixture
def moderator(db):
    """A moderator (a staff user's contributor); tests/schema also tries a `moderators` member."""
    return ContributorFactory(user__is_staff=True)


@pytest.fixture
def silent_port():
    """A local port that accepts connections and never says a word (a hung server, a
    half-open load balancer): what a bounded wait is tested against."""
    server = socket.create_server(("127.0.0.1", 0))
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for connection in held:
        connection.close()
    server.close()
