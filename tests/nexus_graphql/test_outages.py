"""An outage logs a few lines, however many calls fail: the first, a count at most every
repeat_seconds, the recovery."""

import logging
import threading

import pytest

from nexus_graphql import outages
from nexus_graphql.outages import Outage

LOGGER = logging.getLogger("tests.outages")


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(outages, "_clock", lambda: now[0])
    return now


def lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER.name]


def test_one_line_for_the_first_failure_then_counts_at_most_every_period(clock, caplog):
    outage = Outage(LOGGER, "Redis 10.0.0.7:6379", repeat_seconds=60)
    caplog.set_level(logging.INFO, logger=LOGGER.name)

    # 1000 failures over 125 s: one every 0.125 s.
    for n in range(1000):
        clock[0] = 1000.0 + n * 0.125
        outage.failed(ConnectionError("Connection refused"))

    assert lines(caplog) == [
        "Redis 10.0.0.7:6379 unavailable: ConnectionError: Connection refused",
        "Redis 10.0.0.7:6379 still unavailable: 480 failures in the last 60 s",
        "Redis 10.0.0.7:6379 still unavailable: 480 failures in the last 60 s",
    ]
    assert all(record.exc_info is None for record in caplog.records)  # no tracebacks


def test_the_recovery_says_how_long_and_how_many_then_a_new_outage_starts_afresh(clock, caplog):
    outage = Outage(LOGGER, "broker", repeat_seconds=60)
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    for _ in range(7):
        outage.failed(TimeoutError("timed out"))
        clock[0] += 2
    outage.succeeded()
    outage.succeeded()  # healthy again: says nothing
    clock[0] += 500
    outage.failed(OSError())

    assert lines(caplog) == [
        "broker unavailable: TimeoutError: timed out",
        "broker recovered after 14.0 s (7 failures)",
        "broker unavailable: OSError",
    ]
    assert outage.down


def test_success_while_healthy_logs_nothing_and_takes_no_lock(caplog):
    outage = Outage(LOGGER, "cache")

    class NoLock:
        def __enter__(self):
            raise AssertionError("succeeded() took the lock while healthy")

        def __exit__(self, *exc):
            return False

    outage._lock = NoLock()
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    for _ in range(1000):
        outage.succeeded()

    assert lines(caplog) == [] and not outage.down


def test_a_failure_without_an_error_is_still_one_line(clock, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    Outage(LOGGER, "cache").failed()

    assert lines(caplog) == ["cache unavailable: no error given"]


def test_threads_failing_together_count_every_failure_once(clock, caplog):
    outage = Outage(LOGGER, "Redis", repeat_seconds=60)
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    start = threading.Barrier(8)

    def fail_many():
        start.wait(timeout=10)
        for _ in range(500):
            outage.failed(ConnectionError("reset"))

    threads = [threading.Thread(target=fail_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    clock[0] += 60
    outage.failed(ConnectionError("reset"))
    outage.succeeded()

    assert lines(caplog) == [
        "Redis unavailable: ConnectionError: reset",
        "Redis still unavailable: 4000 failures in the last 60 s",
        "Redis recovered after 60.0 s (4001 failures)",
    ]


def test_a_consequence_of_another_outage_logs_at_its_own_level(clock, caplog):
    # The rate-limit counters' outage is the Redis outage the breaker already warns about.
    outage = Outage(LOGGER, "counters", repeat_seconds=60, level=logging.INFO)
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    outage.failed(ConnectionError("refused"))
    clock[0] += 60
    outage.failed(ConnectionError("refused"))
    outage.succeeded()

    assert [r.levelname for r in caplog.records if r.name == LOGGER.name] == ["INFO"] * 3
