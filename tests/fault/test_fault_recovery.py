"""Faults under a stream of writes: PostgreSQL crashes, Redis stops and comes back.

A real server (gunicorn, two workers, persistent database connections) runs on
PostgreSQL and Redis while writers keep sending submitChallenge. Mid-stream
the database crashes (immediate shutdown, recovery from the WAL at start) and
then Redis stops for a while. Afterwards: every mutation that reported success
is in the database exactly once, every failure was a clean error (JSON, no 500,
nothing internal), and the server serves writes again by itself, without a restart.

It restarts machine services, so it runs only when asked:
NEXUS_FAULT_TESTS=1 with DATABASE_URL on PostgreSQL (.ci/run's PostgreSQL
stage). Whatever happens, the services it stopped are started again.
"""

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest

from tests.fault.harness import (
    Reply,
    Server,
    call,
    database_url,
    fault_test,
    fresh_database,
    pg_cluster,
    pg_ready,
    psql,
    redis_start,
    redis_stop,
    restore_services,
    running_server,
    wait_for,
)

pytestmark = fault_test

SUBMIT = """
mutation Submit($input: SubmitChallengeInput!) {
  submitChallenge(input: $input) { challenge { id title } errors { code message } }
}"""
CLEAN_FAILURE_CODES = {"INTERNAL_ERROR", "SERVICE_UNAVAILABLE"}


@pytest.fixture
def server(tmp_path):
    with (
        fresh_database("nexus_fault") as database,
        running_server(database, tmp_path / "gunicorn.log") as running,
    ):
        yield running


# --- the test ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    title: str
    reply: Reply

    @property
    def acknowledged(self) -> bool:
        payload = self.reply.payload.get("data") or {}
        result = payload.get("submitChallenge") or {}
        return (
            self.reply.status == 200
            and not self.reply.payload.get("errors")
            and (result.get("challenge") or {}).get("title") == self.title
        )


class Writers:
    def __init__(self, server: Server, threads: int = 3):
        self.server = server
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._write, args=(n,)) for n in range(threads)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _write(self, writer: int):
        n = 0
        while not self._stop.is_set():
            n += 1
            title = f"fault {writer}-{n}"
            variables = {"input": {"title": title, "description": "Written under faults."}}
            reply = call(self.server.url, SUBMIT, variables, self.server.token)
            with self._lock:
                self.outcomes.append(Outcome(title, reply))
            time.sleep(0.01)

    def acknowledged_since(self, index: int) -> int:
        with self._lock:
            return sum(o.acknowledged for o in self.outcomes[index:])


def test_acknowledged_writes_survive_database_and_cache_faults(server):
    try:
        with Writers(server) as writers:
            wait_for(lambda: writers.acknowledged_since(0) >= 20, 30, "writes before the faults")

            # A crash: no shutdown checkpoint, every connection cut, WAL replayed at start.
            pg_cluster("stop", "-m", "immediate")
            pg_cluster("start")
            wait_for(pg_ready, 60, "PostgreSQL recovery")
            mark = len(writers.outcomes)
            wait_for(lambda: writers.acknowledged_since(mark) >= 10, 60, "writes after the restart")

            redis_stop()
            mark = len(writers.outcomes)
            wait_for(lambda: writers.acknowledged_since(mark) >= 10, 60, "writes without Redis")

            redis_start()
            mark = len(writers.outcomes)
            wait_for(lambda: writers.acknowledged_since(mark) >= 10, 60, "writes with Redis back")
    finally:
        restore_services()

    outcomes = writers.outcomes
    acknowledged = {o.title for o in outcomes if o.acknowledged}
    rows = psql(
        database_url("nexus_fault"), "SELECT title FROM hub_challenge WHERE title LIKE 'fault %'"
    ).splitlines()
    stored = set(rows)
    duplicated = [title for title, count in Counter(rows).items() if count > 1]
    log = server.log.read_text()
    refusals = Counter(
        (o.reply.status, *sorted({e.get("extensions", {}).get("code") for e in errors(o.reply)}))
        for o in outcomes
        if not o.acknowledged
    )
    print(
        f"\n{len(outcomes)} writes: {len(acknowledged)} acknowledged, {len(stored)} stored, "
        f"{len(acknowledged - stored)} lost, {len(duplicated)} duplicated; "
        f"refused: {dict(refusals)}"
    )

    assert acknowledged, "no write succeeded"
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)[:10]}"
    assert duplicated == []
    for outcome in outcomes:
        if outcome.acknowledged:
            continue
        reply = outcome.reply
        assert reply.status in (200, 503), (outcome.title, reply, log[-3000:])
        codes = {e.get("extensions", {}).get("code") for e in errors(reply)}
        assert codes and codes <= CLEAN_FAILURE_CODES, (outcome.title, reply)
        assert "Traceback" not in json.dumps(reply.payload)
    assert "Internal Server Error" not in log, log[-3000:]
    # Recovered by itself: the two workers that started are the ones that finished.
    assert log.count("Booting worker") == 2, log[-3000:]


def errors(reply: Reply) -> list[dict]:
    return reply.payload.get("errors") or []
