"""Redis faults against a real server: never a stale answer, bounded latency, bounded logs.

gunicorn (3 workers x 4 threads) on PostgreSQL and the machine's Redis. A signed-in
writer edits its bio, one value after another; after each edit has returned, anonymous
readers on several threads (so on every worker) read the profile, an answer the
response cache keeps in Redis and in each worker's memory. Every read must show the
last acknowledged bio: a stale read is any older one. Each Redis fault runs for a
few seconds while this goes on, and after it ends:

- stopped (SHUTDOWN), hung (SIGSTOP: it connects and never answers), paused for
  writes (CLIENT PAUSE WRITE, what a failover does) and for everything (PAUSE ALL);
- restarted from a snapshot taken before the edits (old data: every old answer back).

Meanwhile background readers keep the load of bench/load_run (8 client threads) on;
their latency during the hang must stay under 1 s at the 99th percentile, /healthz
must answer at once, and the log must hold a handful of lines per fault, not one per
failed command.
"""

import os
import re
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from tests.fault.harness import (
    call,
    fault_test,
    fresh_database,
    get,
    in_background,
    percentile,
    redis_cli,
    redis_restart_plain,
    redis_snapshot,
    redis_start,
    redis_stop,
    restore_services,
    running_server,
)

pytestmark = fault_test

EDIT = "mutation($bio: String) { updateProfile(input: {bio: $bio}) { errors { code } } }"
PROFILE = '{ contributor(username: "writer") { bio } }'
LOAD = [
    "{ challenges(first: 5) { edges { node { title author { username } } } } }",
    "{ technologies(first: 10) { edges { node { name slug } } } }",
    PROFILE,
]
READERS = 6  # parallel reads after each edit: every worker gets some
EDITS_PER_PHASE = 8
FAULT_SECONDS = 4
WORKERS = 3
BREAKER_SECONDS = 2


@dataclass
class Tally:
    reads: int = 0
    stale: list = field(default_factory=list)
    hits: int = 0
    failed_edits: int = 0
    edits: int = 0


@dataclass
class Load:
    """Background readers, as bench/load_run's clients: latency per request, by phase."""

    url: str
    clients: int = 8
    phase: str = "warm"
    latencies: dict = field(default_factory=dict)
    failures: Counter = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self):
        self._threads = [in_background(self._run, n) for n in range(self.clients)]
        return self

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, n: int):
        i = n
        while not self._stop.is_set():
            reply = call(self.url, LOAD[i % len(LOAD)], timeout=20)
            i += 1
            with self._lock:
                self.latencies.setdefault(self.phase, []).append(reply.seconds)
                if reply.status != 200 or reply.errors:
                    self.failures[(self.phase, reply.status)] += 1


def edit_and_read(server, tally: Tally, value: str, pool) -> None:
    """Edit the bio; once acknowledged, every reader must see it."""
    reply = call(server.url, EDIT, {"bio": value}, server.token)
    tally.edits += 1
    acknowledged = (
        reply.status == 200
        and not reply.errors
        and not (reply.payload["data"]["updateProfile"]["errors"])
    )
    if not acknowledged:
        tally.failed_edits += 1
        return
    for read in pool.map(lambda _: call(server.url, PROFILE), range(READERS)):
        tally.reads += 1
        assert read.status == 200 and not read.errors, read
        seen = read.payload["data"]["contributor"]["bio"]
        if seen != value:
            tally.stale.append((value, seen))
        tally.hits += read.headers.get("X-Cache") == "HIT"


def phase(server, tally, pool, name: str, seconds: float | None = None) -> None:
    started = time.monotonic()
    n = 0
    while n < EDITS_PER_PHASE or (seconds and time.monotonic() - started < seconds):
        n += 1
        edit_and_read(server, tally, f"{name} {n}", pool)
        # Readers after the edit fill the caches again: the next edit must get past them.
        for _ in range(2):
            call(server.url, PROFILE)


def pause(mode: str) -> None:
    redis_cli("client", "pause", str(FAULT_SECONDS * 1000), mode)


def unpause() -> None:
    redis_cli("client", "unpause")


def redis_pid() -> int:
    return int(re.search(r"process_id:(\d+)", redis_cli("info", "server")).group(1))


def hang(pid: int) -> None:
    """Frozen (SIGSTOP): connections are still accepted by the kernel, nothing answers.
    (DEBUG SLEEP does the same from inside, but Redis 7 refuses DEBUG by default.)"""
    os.kill(pid, signal.SIGSTOP)


def resume(pid: int) -> None:
    os.kill(pid, signal.SIGCONT)


@pytest.fixture
def server(tmp_path):
    with (
        fresh_database("nexus_cache_fault") as database,
        running_server(
            database,
            tmp_path / "gunicorn.log",
            workers=WORKERS,
            REDIS_BREAKER_OPEN_SECONDS=str(BREAKER_SECONDS),
        ) as running,
    ):
        yield running


def test_no_stale_answer_and_bounded_cost_across_redis_faults(server, tmp_path):
    tallies: dict[str, Tally] = {}
    health: list[float] = []
    load = Load(server.url).start()
    started_log = server.log.read_text().count("\n")
    try:
        with ThreadPoolExecutor(READERS) as pool:

            def run(name, fault=None, end=None):
                tally = tallies.setdefault(name, Tally())
                load.phase = name
                if fault:
                    fault()
                phase(server, tally, pool, name, seconds=FAULT_SECONDS if fault else None)
                health.extend(get(f"{server.root}/healthz", timeout=5).seconds for _ in range(3))
                if end:
                    end()

            run("healthy")
            run("stopped", redis_stop, redis_start)
            run("after stop")
            pid = redis_pid()
            try:
                run("hung", lambda: hang(pid), lambda: resume(pid))
            finally:
                resume(pid)
            run("after hang")
            run("paused writes", lambda: pause("write"), unpause)
            run("paused all", lambda: pause("all"), unpause)
            run("after pauses")
            snapshot = redis_snapshot(tmp_path / "before.rdb")  # the answers cached until now
            run("before restart")
            redis_stop()
            redis_start(snapshot)  # restarted with its old data
            run("restarted with old data")
    finally:
        load.stop()
        restore_services()
        redis_restart_plain()

    log_lines = server.log.read_text().splitlines()[started_log:]
    warnings = [line for line in log_lines if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)]
    print()
    for name, tally in tallies.items():
        latencies = load.latencies.get(name, [])
        print(
            f"{name:>24}: {tally.edits} edits ({tally.failed_edits} refused), {tally.reads} reads,"
            f" {len(tally.stale)} stale, {tally.hits} cache hits; load {len(latencies)} requests,"
            f" p50 {percentile(latencies, 0.5) * 1000:.0f} ms,"
            f" p99 {percentile(latencies, 0.99) * 1000:.0f} ms"
        )
    print(f"/healthz max {max(health) * 1000:.0f} ms; {len(warnings)} warning lines in the log:")
    for line in warnings[:40]:
        print("   ", line[:200])

    assert all(t.reads for t in tallies.values()), "a phase read nothing"
    assert {name: t.stale for name, t in tallies.items() if t.stale} == {}
    assert tallies["healthy"].hits > 0 and tallies["after pauses"].hits > 0, "the cache never hit"
    assert sum(t.failed_edits for t in tallies.values()) == 0, "an edit was refused"
    assert not load.failures, load.failures
    assert percentile(load.latencies["hung"], 0.99) < 1.0
    assert max(health) < 0.5
    # Per worker and outage: one line when it starts, one when it ends, a repeat at most.
    outages = 5
    assert len(warnings) <= WORKERS * outages * 3, warnings[:50]
    assert not any("Traceback" in line for line in log_lines)
