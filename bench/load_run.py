"""A bounded load run on loopback: throughput, the request log's cost, rate limits.

    .venv/bin/python -m bench.load_run [--seconds 8] [--clients 8]

Starts gunicorn (2 workers x 4 threads, PostgreSQL + Redis, DEBUG off) on a
fresh database seeded with the hub's content, then:

1. mixed traffic (reads of several shapes, a signed-in write now and then),
   rate limits off, once with the traffic middleware (request log, blocklist)
   on and once off: requests per second, latency percentiles, the log's cost;
2. rate limits on, behind one trusted proxy, so each client thread is its own
   address (X-Forwarded-For): one abusive address gets exactly its allowance
   across both workers and then 429s, while the others are not slowed.

Every phase is bounded in time and requests and talks only to 127.0.0.1.
Fails (exit 1) on any 5xx or a connection error. The load generator is
Python threads on the same cores as the server: figures are a floor, and
comparable between phases (bench/run.py measures throughput with wrk).
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
BASE_DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/12"
DB_NAME = "nexus_load"
MAX_REQUESTS_PER_PHASE = 200_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

READS = [
    "{ hubStats { technologies learnings projects challenges solutions contributors } }",
    "{ challenges(first: 10, orderBy: NEWEST) { totalCount edges { node { title "
    "author { displayName } technologies { edges { node { name } } } solutionCount } } } }",
    '{ technology(slug: "redis") { name learnings(first: 5) { edges { node { title } } } } }',
    '{ search(query: "cache", first: 5) { __typename ... on Challenge { title } } }',
]
WRITE = (
    'mutation { updateProfile(input: {bio: "Under load."}) { contributor { bio } '
    "errors { code } } }"
)


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(BASE_DATABASE_URL)._replace(path=f"/{name}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**overrides) -> dict:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "load-run-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(DB_NAME),
        "REDIS_URL": REDIS_URL,
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "text",
        **overrides,
    }


def prepare_database() -> None:
    admin = database_url("postgres")
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", admin, "-qtAc", sql], check=True, timeout=60)
    env = server_env()
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_hub"], cwd=ROOT, env=env, check=True, capture_output=True)
    create_user = (
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('loadrunner', password='load-run-password')"
    )
    subprocess.run([*manage, "shell", "-c", create_user], cwd=ROOT, env=env, check=True)


def flush_redis() -> None:
    """Counters and cached responses of an earlier run must not leak into this one."""
    redis.Redis.from_url(REDIS_URL).flushdb()


def drop_database() -> None:
    sql = f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"
    subprocess.run(["psql", database_url("postgres"), "-qtAc", sql], timeout=60)


def cpu_seconds(master: int) -> float:
    """CPU time (user + system) of gunicorn's master and workers so far."""
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    total = 0
    for pid in [master, *map(int, children.stdout.split())]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


@contextmanager
def gunicorn(**env_overrides):
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [GUNICORN, "nexus_graphql.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "4", "--worker-class", "gthread"],
            cwd=ROOT, env=server_env(**env_overrides), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while Client(port).post("{ __typename }")[0] != 200:
                if time.monotonic() > deadline or process.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"gunicorn did not start:\n{log.read().decode()[-3000:]}")
                time.sleep(0.2)
            yield Server(port, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


class Client:
    """One keep-alive connection, as a browser or frontend server would hold."""

    def __init__(self, port: int, token: str | None = None, address: str | None = None):
        self.port, self.token, self.address = port, token, address
        self.connection = None
        self.last_cache = ""  # the last answer's X-Cache: HIT, MISS, or "" when not cacheable

    def post(self, query: str) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"JWT {self.token}"
        if self.address:
            headers["X-Forwarded-For"] = self.address
        body = json.dumps({"query": query})
        for attempt in (1, 2):  # a kept connection the server closed: reconnect once
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.connection.request("POST", "/graphql/", body, headers)
                response = self.connection.getresponse()
                self.last_cache = response.getheader("X-Cache", "")
                return response.status, json.loads(response.read() or b"{}")
            except (ConnectionError, http.client.HTTPException, OSError):
                self.connection = None
                if attempt == 2:
                    return 0, {}
        return 0, {}


def sign_in(port: int) -> str:
    status, payload = Client(port).post(
        'mutation { tokenAuth(username: "loadrunner", password: "load-run-password") { token } }'
    )
    assert status == 200, payload
    return payload["data"]["tokenAuth"]["token"]


def mixed_load(port: int, token: str, clients: int, seconds: float) -> dict:
    statuses, latencies, lock = Counter(), [], threading.Lock()
    deadline = time.monotonic() + seconds

    def run(n: int):
        client = Client(port, token=token if n == 0 else None)
        local_statuses, local_latencies, i = Counter(), [], n
        while time.monotonic() < deadline and len(local_latencies) < MAX_REQUESTS_PER_PHASE:
            i += 1
            query = WRITE if n == 0 and i % 5 == 0 else READS[i % len(READS)]
            started = time.perf_counter()
            status, _ = client.post(query)
            local_latencies.append(time.perf_counter() - started)
            local_statuses[status] += 1
        with lock:
            statuses.update(local_statuses)
            latencies.extend(local_latencies)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "statuses": dict(statuses),
    }


SOLUTION_IDS = (
    "{ challenges(first: 20) { edges { node { solutions(first: 1) { edges { node { id } } } } } } }"
)
VOTE = 'mutation { voteSolution(input: {solutionId: "%s", value: %s}) { errors { code } } }'


def write_mix(port: int, token: str, clients: int, seconds: float) -> dict:
    """Anonymous readers, and one contributor writing all the time: bio edits and votes.

    The share of cached answers depends on what each write evicts; reads and writes are
    interleaved as in a live hub (about one write per ten reads here).
    """
    _, payload = Client(port).post(SOLUTION_IDS)
    solutions = [
        s["node"]["id"]
        for c in payload["data"]["challenges"]["edges"]
        for s in c["node"]["solutions"]["edges"]
    ]
    assert solutions, "the seeded hub has no solutions to vote on"
    hits, cacheable, statuses, latencies = Counter(), Counter(), Counter(), []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(n: int):
        writer = n == 0
        client, i = Client(port, token=token if writer else None), n
        local = Counter()
        while time.monotonic() < deadline and local["requests"] < MAX_REQUESTS_PER_PHASE:
            i += 1
            if writer:
                if i % 2:
                    query = WRITE.replace("Under load.", f"Under load {i}.")
                else:
                    query = VOTE % (solutions[i % len(solutions)], ("UP", "CLEAR")[i // 2 % 2])
            else:
                query = READS[i % len(READS)]
            started = time.perf_counter()
            status, _ = client.post(query)
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1
                if client.last_cache:
                    cacheable["all"] += 1
                    hits["all"] += client.last_cache == "HIT"
            local["requests"] += 1
            if writer:
                time.sleep(0.02)  # a busy contributor, not a flood

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "hit_rate": hits["all"] / max(1, cacheable["all"]),
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
        "statuses": dict(statuses),
    }


def median_run(results: list[dict]) -> dict:
    """Medians over the runs; statuses summed."""
    statuses = Counter()
    for result in results:
        statuses.update(result["statuses"])
    figures = ("requests", "rps", "p50_ms", "p99_ms", "cpu_ms")
    medians = {name: statistics.median(r[name] for r in results) for name in figures}
    return {**medians, "statuses": dict(statuses)}


def rate_limit_run(port: int, seconds: float) -> dict:
    """One abusive address and three ordinary ones, each its own X-Forwarded-For."""
    results = {}
    deadline = time.monotonic() + seconds

    def run(address: str, pause: float):
        client, statuses = Client(port, address=address), Counter()
        while time.monotonic() < deadline and sum(statuses.values()) < MAX_REQUESTS_PER_PHASE:
            statuses[client.post(READS[0])[0]] += 1
            time.sleep(pause)
        results[address] = dict(statuses)

    callers = [("203.0.113.66", 0.0)] + [(f"198.51.100.{n}", 0.5) for n in (1, 2, 3)]
    threads = [threading.Thread(target=run, args=caller) for caller in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def request_log_rows() -> int:
    sql = "SELECT count(*) FROM hub_requestlog"
    out = subprocess.run(
        ["psql", database_url(DB_NAME), "-qtAc", sql], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each configuration")
    args = parser.parse_args()
    failures = []
    prepare_database()
    flush_redis()
    try:
        runs = {"false": [], "true": []}
        for round_ in range(args.rounds):  # interleaved, each first in turn: drift hits both
            for tracking in sorted(runs, reverse=round_ % 2 == 1):
                with gunicorn(RATE_LIMIT_ENABLED="false", TRAFFIC_TRACKING=tracking) as server:
                    token = sign_in(server.port)
                    mixed_load(server.port, token, args.clients, 1.0)  # warm caches, connections
                    cpu_before = cpu_seconds(server.pid)
                    result = mixed_load(server.port, token, args.clients, args.seconds)
                    cpu = cpu_seconds(server.pid) - cpu_before
                    runs[tracking].append({**result, "cpu_ms": cpu * 1000 / result["requests"]})
                    print(f"  tracking {tracking}: {result['rps']:.0f} req/s", file=sys.stderr)
        figures = {tracking: median_run(results) for tracking, results in runs.items()}
        logged = request_log_rows()
        mixes = {"true": [], "false": []}
        for round_ in range(args.rounds):  # interleaved as above
            for by_kind in sorted(mixes, reverse=round_ % 2 == 1):
                with gunicorn(
                    RATE_LIMIT_ENABLED="false", GRAPHQL_RESPONSE_CACHE_BY_KIND=by_kind
                ) as server:
                    token = sign_in(server.port)
                    write_mix(server.port, token, args.clients, 1.0)
                    mixes[by_kind].append(write_mix(server.port, token, args.clients, args.seconds))
        flush_redis()
        allowance, window = 100, 3600
        limits = {"RATE_LIMIT_QUERIES": str(allowance), "RATE_LIMIT_WINDOW_SECONDS": str(window)}
        with gunicorn(TRUSTED_PROXY_COUNT="1", **limits) as server:
            first_window = time.time() // window
            limited = rate_limit_run(server.port, min(args.seconds, 20.0))
            windows = int(time.time() // window - first_window) + 1  # 2 if a window ended
    finally:
        drop_database()

    print(
        f"Mixed load, {args.clients} connections, {args.seconds:.0f} s per run, "
        f"median of {args.rounds} interleaved runs:"
    )
    print("| traffic middleware | server CPU ms/request | req/s | p50 ms | p99 ms | statuses |")
    print("|---|---|---|---|---|---|")
    for tracking, label in (("false", "off"), ("true", "on (request log, blocklist)")):
        f = figures[tracking]
        print(
            f"| {label} | {f['cpu_ms']:.2f} | {f['rps']:.0f} | {f['p50_ms']:.1f} | "
            f"{f['p99_ms']:.1f} | {f['statuses']} |"
        )
        failures += [f"{tracking}: {s}" for s in f["statuses"] if s == 0 or s >= 500]
    cost = figures["true"]["cpu_ms"] - figures["false"]["cpu_ms"]
    share = cost / figures["false"]["cpu_ms"]
    print(
        f"Request log: {logged} rows written; server CPU per request {cost:+.3f} ms ({share:+.1%})."
        " CPU time is the steady figure: req/s and latency also move with whatever else runs."
    )
    print(
        f"\nWrite mix: {args.clients - 1} anonymous readers, 1 contributor editing its bio and "
        "voting, one run of each after the other:"
    )
    print("| a write evicts | cached answers (hit rate) | req/s | p50 ms | p99 ms | statuses |")
    print("|---|---|---|---|---|---|")
    for by_kind, label in (("false", "every answer (before)"), ("true", "what shows it (now)")):
        results = mixes[by_kind]
        statuses = Counter()
        for result in results:
            statuses.update(result["statuses"])
        m = {
            k: statistics.median(r[k] for r in results)
            for k in ("hit_rate", "rps", "p50_ms", "p99_ms")
        }
        print(
            f"| {label} | {m['hit_rate']:.1%} | {m['rps']:.0f} | {m['p50_ms']:.1f} | "
            f"{m['p99_ms']:.1f} | {dict(statuses)} |"
        )
        failures += [f"write mix {by_kind}: {s}" for s in statuses if s == 0 or s >= 500]
    print(f"\nRate limits ({allowance} queries/min per address, 2 workers, one shared Redis):")
    for address, statuses in limited.items():
        print(f"  {address}: {statuses}")
    abuser = limited["203.0.113.66"]
    if not allowance <= abuser.get(200, 0) <= allowance * windows or not abuser.get(429):
        failures.append(f"the abusive address got {abuser}, expected {allowance} x 200 then 429")
    for address, statuses in limited.items():
        if address != "203.0.113.66" and set(statuses) != {200}:
            failures.append(f"{address} was limited: {statuses}")
        failures += [f"{address}: {s}" for s in statuses if s == 0 or s >= 500]
    if failures:
        print("FAILED:", *failures, sep="\n  ")
        return 1
    print("load run: no 5xx, no connection errors, limits exact across workers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
