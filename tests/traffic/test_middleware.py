"""The traffic middleware: blocked addresses refused first, every request in the log."""

import logging
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from nexus_graphql.outages import Outage
from nexus_graphql.views import NexusGraphQLView
from tests.factories import PASSWORD, ContributorFactory
from tests.nexus_graphql.conftest import client_from
from traffic import middleware
from traffic import selectors as traffic_selectors
from traffic import services as traffic_services
from traffic.models import BlockedIP, RequestLog

pytestmark = pytest.mark.usefixtures("traffic")

NAMED_QUERY = "query Stats { hubStats { projects } }"
TYPENAME_QUERY = "{ __typename }"  # runs no SQL of its own
SIGN_IN = """
mutation SignIn($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token }
}"""


def test_a_request_is_logged_with_its_address_operation_and_outcome():
    client_from("203.0.113.7").post(NAMED_QUERY)

    log = RequestLog.objects.get()
    assert (log.ip, log.method, log.path, log.status) == ("203.0.113.7", "POST", "/graphql/", 200)
    assert (log.operation_type, log.operation_name, log.root_fields) == (
        "query",
        "Stats",
        "hubStats",
    )
    assert log.user_id is None
    assert not log.auth_failed
    assert log.duration_ms > 0


def test_a_signed_in_request_is_logged_with_its_user():
    contributor = ContributorFactory()

    client_from("203.0.113.7").login(contributor).post(
        "mutation { updateProfile(input: {}) { errors { code } } }"
    )

    log = RequestLog.objects.get()
    assert log.user_id == contributor.user_id
    assert (log.operation_type, log.root_fields) == ("mutation", "updateProfile")


def test_a_failed_sign_in_is_logged_as_an_authentication_failure():
    user = ContributorFactory().user
    client = client_from("203.0.113.7")

    client.post(SIGN_IN, {"username": user.username, "password": "wrong"})
    client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})

    assert list(RequestLog.objects.order_by("id").values_list("auth_failed", flat=True)) == [
        True,
        False,
    ]


def test_requests_outside_graphql_are_logged_too():
    client_from("203.0.113.7").http.get("/no-such-page/")

    log = RequestLog.objects.get()
    assert (log.path, log.status, log.operation_type) == ("/no-such-page/", 404, "")


def test_a_blocked_address_gets_403_before_any_other_work(monkeypatch):
    traffic_services.block_ip(ip="203.0.113.66", reason="scraping")

    def never(*args, **kwargs):
        raise AssertionError("the view ran for a blocked address")

    monkeypatch.setattr(NexusGraphQLView, "dispatch", never)
    response = client_from("203.0.113.66").post(NAMED_QUERY)

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "IP_BLOCKED"
    assert RequestLog.objects.get().status == 403


def test_other_addresses_are_served_while_one_is_blocked():
    traffic_services.block_ip(ip="203.0.113.66")

    assert client_from("203.0.113.67").post(NAMED_QUERY).status_code == 200


def test_block_and_unblock_take_effect_at_once_in_this_process(
    django_capture_on_commit_callbacks,
):
    client = client_from("2001:db8::66")
    assert client.post(NAMED_QUERY).status_code == 200  # the blocklist is now held in memory

    with django_capture_on_commit_callbacks(execute=True):
        traffic_services.block_ip(ip="2001:DB8::66")
    assert client.post(NAMED_QUERY).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        traffic_services.unblock_ip(ip="2001:db8::66")
    assert client.post(NAMED_QUERY).status_code == 200


def test_an_expired_block_no_longer_blocks():
    BlockedIP.objects.create(ip="203.0.113.66", expires_at=timezone.now() - timedelta(seconds=1))

    assert client_from("203.0.113.66").post(NAMED_QUERY).status_code == 200


def test_a_blocklist_that_cannot_be_read_blocks_no_one(monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(BlockedIP.objects, "filter", unreachable)
    fresh = Outage(traffic_selectors.logger, "blocklist database")  # healthy until now
    monkeypatch.setattr(traffic_selectors, "_database_outage", fresh)

    with caplog.at_level(logging.WARNING, logger="nexus.traffic"):
        assert client_from("203.0.113.66").post(NAMED_QUERY).status_code == 200
    assert "blocklist database unavailable: DatabaseError: connection refused" in caplog.text


def test_logs_are_written_in_batches(settings, django_assert_num_queries):
    settings.REQUEST_LOG_BATCH_SIZE = 3
    client = client_from("203.0.113.7")

    with django_assert_num_queries(1):  # the blocklist, read once per refresh interval
        client.post(TYPENAME_QUERY)
        client.post(TYPENAME_QUERY)
    assert not RequestLog.objects.exists()

    with django_assert_num_queries(1):  # one INSERT for the three rows
        client.post(TYPENAME_QUERY)
    assert RequestLog.objects.count() == 3


def test_a_log_write_that_fails_costs_the_request_nothing(monkeypatch, caplog):
    def failing(entries):
        raise DatabaseError("disk full")

    monkeypatch.setattr(middleware, "record_requests", failing)

    with caplog.at_level(logging.WARNING, logger="nexus.traffic"):
        response = client_from("203.0.113.7").post(NAMED_QUERY)

    assert response.status_code == 200
    assert "dropped 1 request log entries" in caplog.text


def test_tracking_can_be_switched_off(settings):
    settings.TRAFFIC_TRACKING = False
    traffic_services.block_ip(ip="203.0.113.66")

    assert client_from("203.0.113.66").post(NAMED_QUERY).status_code == 200
    assert not RequestLog.objects.exists()
