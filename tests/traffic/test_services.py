"""Traffic services and commands: blocks, anomaly detection, log retention, admin."""

import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hub.errors import ApplicationError, ErrorCode
from tests.factories import UserFactory
from traffic import services as traffic
from traffic.models import BlockedIP, RequestLog, SuspicionReason, SuspiciousIP

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _now_is_the_start_of_each_test(monkeypatch):
    # The commands read the real clock, and the suite can run longer than a detection window.
    monkeypatch.setattr(sys.modules[__name__], "NOW", timezone.now())


def logs(ip: str, count: int, *, minutes_ago: float = 1, **fields) -> None:
    """`count` request log rows from `ip`, `minutes_ago` before NOW."""
    at = NOW - timedelta(minutes=minutes_ago)
    defaults = {"method": "POST", "path": "/graphql/", "status": 200, "duration_ms": 1.0}
    RequestLog.objects.bulk_create(
        RequestLog(ip=ip, created_at=at, **(defaults | fields)) for _ in range(count)
    )


@pytest.fixture
def thresholds(settings):
    settings.TRAFFIC_ANOMALIES = {
        "window_minutes": 10,
        "volume_min": 50,
        "volume_factor": 5.0,
        "auth_failures": 5,
    }
    return settings.TRAFFIC_ANOMALIES


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# --- blocks -----------------------------------------------------------------------------------


def test_a_block_is_stored_with_the_address_normalized():
    blocked = traffic.block_ip(ip=" 2001:DB8:0::1 ", reason="scraping")

    assert (blocked.ip, blocked.reason, blocked.expires_at) == ("2001:db8::1", "scraping", None)


def test_blocking_again_changes_the_reason_and_end():
    traffic.block_ip(ip="203.0.113.5", reason="first")
    ends = NOW + timedelta(hours=1)

    traffic.block_ip(ip="203.0.113.5", reason="second", expires_at=ends)

    assert list(BlockedIP.objects.values_list("reason", "expires_at")) == [("second", ends)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ip": "999.1.1.1"}, "ip"),
        ({"ip": "example.com"}, "ip"),
        ({"ip": "203.0.113.5", "expires_at": NOW - timedelta(minutes=1)}, "expires"),
        ({"ip": "203.0.113.5", "reason": "x" * 201}, "reason"),
    ],
)
def test_bad_blocks_are_refused(kwargs, field):
    with pytest.raises(ApplicationError) as refused:
        traffic.block_ip(**kwargs)

    assert refused.value.field == field
    assert not BlockedIP.objects.exists()


def test_unblock_says_whether_there_was_a_block():
    traffic.block_ip(ip="203.0.113.5")

    assert traffic.unblock_ip(ip="203.0.113.5") is True
    assert traffic.unblock_ip(ip="203.0.113.5") is False


def test_block_ip_command_takes_a_duration_or_a_time():
    out = run("block_ip", "203.0.113.5", "--reason", "brute force", "--expires", "2h")

    blocked = BlockedIP.objects.get()
    assert "Blocked 203.0.113.5" in out
    assert blocked.reason == "brute force"
    assert timedelta(minutes=119) < blocked.expires_at - timezone.now() <= timedelta(hours=2)

    run("block_ip", "203.0.113.5", "--expires", "2999-01-01T00:00:00")
    assert BlockedIP.objects.get().expires_at.year == 2999


@pytest.mark.parametrize(
    "args",
    [
        ("not-an-ip",),
        ("203.0.113.5", "--expires", "soon"),
        ("203.0.113.5", "--expires", "1999-01-01"),
    ],
)
def test_block_ip_command_explains_bad_input(args):
    with pytest.raises(CommandError):
        run("block_ip", *args)
    assert not BlockedIP.objects.exists()


def test_unblock_ip_command():
    traffic.block_ip(ip="203.0.113.5")

    assert "Unblocked 203.0.113.5" in run("unblock_ip", "203.0.113.5")
    with pytest.raises(CommandError, match="not blocked"):
        run("unblock_ip", "203.0.113.5")


# --- anomalies --------------------------------------------------------------------------------


def test_an_address_far_above_the_others_is_flagged_for_volume(thresholds):
    for n in range(10):
        logs(f"198.51.100.{n}", 8)
    logs("203.0.113.9", 60)

    flagged = traffic.detect_anomalies(now=NOW)

    assert [(s.ip, s.reason, s.request_count) for s in flagged] == [
        ("203.0.113.9", SuspicionReason.VOLUME, 60)
    ]
    assert SuspiciousIP.objects.get().window_end == NOW


def test_volume_below_the_floor_or_the_factor_is_normal(thresholds):
    logs("203.0.113.9", 49)  # below volume_min
    for n in range(5):
        logs(f"198.51.100.{n}", 20)  # median 20: 60 is only 3x
    logs("203.0.113.10", 60)

    assert traffic.detect_anomalies(now=NOW) == []


def test_repeated_authentication_failures_are_flagged(thresholds):
    logs("203.0.113.9", 3, auth_failed=True)  # wrong passwords
    logs("203.0.113.9", 2, status=401)  # refused tokens
    logs("203.0.113.10", 4, auth_failed=True)

    flagged = traffic.detect_anomalies(now=NOW)

    assert [(s.ip, s.reason, s.auth_failure_count) for s in flagged] == [
        ("203.0.113.9", SuspicionReason.AUTH_FAILURES, 5)
    ]


def test_only_the_window_counts(thresholds):
    logs("203.0.113.9", 5, auth_failed=True, minutes_ago=11)

    assert traffic.detect_anomalies(now=NOW) == []


def test_a_second_detection_refreshes_the_flag_and_keeps_when_it_was_first_seen(thresholds):
    logs("203.0.113.9", 5, auth_failed=True, minutes_ago=5)
    traffic.detect_anomalies(now=NOW)
    logs("203.0.113.9", 2, auth_failed=True, minutes_ago=1)

    traffic.detect_anomalies(now=NOW + timedelta(minutes=2))

    suspect = SuspiciousIP.objects.get()
    assert suspect.auth_failure_count == 7
    assert suspect.first_detected_at == NOW
    assert suspect.last_detected_at == NOW + timedelta(minutes=2)


def test_detect_anomalies_command_lists_what_it_flagged(thresholds):
    logs("203.0.113.9", 6, auth_failed=True)

    out = run("detect_anomalies")

    assert "1 suspicious address(es) in the last 10 minutes" in out
    assert "203.0.113.9 AUTH_FAILURES: 6 requests, 6 authentication failures" in out


# --- retention --------------------------------------------------------------------------------


def test_purge_deletes_only_logs_older_than_the_retention(monkeypatch):
    monkeypatch.setattr(traffic, "PURGE_CHUNK", 4)  # several chunks
    logs("203.0.113.9", 10, minutes_ago=60 * 24 * 31)
    logs("203.0.113.9", 3, minutes_ago=60 * 24 * 29)

    assert traffic.purge_request_logs(older_than_days=30, now=NOW) == 10
    assert RequestLog.objects.count() == 3


def test_purge_keeps_at_least_a_day():
    with pytest.raises(ApplicationError) as refused:
        traffic.purge_request_logs(older_than_days=0)
    assert refused.value.code == ErrorCode.INVALID


def test_purge_command_uses_the_retention_setting(settings):
    settings.REQUEST_LOG_RETENTION_DAYS = 7
    logs("203.0.113.9", 2, minutes_ago=60 * 24 * 8)

    assert "Purged 2 request log(s) older than 7 days" in run("purge_request_logs")
    with pytest.raises(CommandError):
        run("purge_request_logs", "--days", "0")


# --- admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["requestlog", "blockedip", "suspiciousip"])
def test_the_admin_lists_traffic(admin_client, model, thresholds):
    logs("203.0.113.9", 6, auth_failed=True)
    traffic.detect_anomalies()
    traffic.block_ip(ip="203.0.113.9", reason="guessing")

    response = admin_client.get(f"/admin/traffic/{model}/")

    assert response.status_code == 200
    assert b"203.0.113.9" in response.content


def test_blocking_in_the_admin_goes_through_the_service(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    forgotten = []
    monkeypatch.setattr(traffic, "forget_blocklist", lambda: forgotten.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/traffic/blockedip/add/", {"ip": "203.0.113.9", "reason": "manual"}
        )

    assert response.status_code == 302
    assert BlockedIP.objects.get().reason == "manual"
    assert forgotten == [True]  # every worker's blocklist is refreshed


def test_the_admin_refuses_a_block_that_ends_in_the_past(admin_client):
    past = NOW - timedelta(days=1)
    response = admin_client.post(
        "/admin/traffic/blockedip/add/",
        {"ip": "203.0.113.9", "expires_at_0": past.date(), "expires_at_1": "00:00:00"},
    )

    assert response.status_code == 200
    assert b"must end in the future" in response.content
    assert not BlockedIP.objects.exists()


def test_flagged_addresses_can_be_blocked_from_the_admin(admin_client, thresholds):
    logs("203.0.113.9", 6, auth_failed=True)
    traffic.detect_anomalies()

    admin_client.post(
        "/admin/traffic/suspiciousip/",
        {"action": "block_addresses", "_selected_action": [SuspiciousIP.objects.get().pk]},
    )

    assert BlockedIP.objects.get().reason == "Flagged: Repeated authentication failures"


def test_a_large_batch_of_request_records_is_stored_whole():
    records = [
        traffic.RequestRecord(
            created_at=NOW,
            ip=f"2001:db8::{n:x}",
            method="POST",
            path="/graphql/",
            status=200,
            duration_ms=1.5,
            user_id=None,
            operation_type="query",
            operation_name="",
            root_fields="hubStats",
            auth_failed=n % 2 == 0,
        )
        for n in range(250)  # several statements on SQLite (999 parameters each)
    ]

    traffic.record_requests(records)

    assert RequestLog.objects.count() == 250
    assert RequestLog.objects.filter(auth_failed=True).count() == 125
    assert RequestLog.objects.filter(created_at=NOW, ip="2001:db8::f9").exists()
