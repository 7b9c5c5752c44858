"""Faults under a stream of writes: PostgreSQL restarts, Redis stops and comes back.

A real server (gunicorn, two workers, persistent database connections) runs on
PostgreSQL and Redis while writers keep sending submitChallenge. Mid-stream
the database restarts and then Redis stops for a while. Afterwards:
every mutation that reported success is in the database, every failure was a
clean error (JSON, no 500, nothing internal), and the server serves writes
again by itself, without a restart.

It restarts machine services, so it runs only when asked:
NEXUS_FAULT_TESTS=1 with DATABASE_URL on PostgreSQL (.ci/run's PostgreSQL
stage). Whatever happens, the services it stopped are started again.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_PORT = 6379
# Restarts the machine's PostgreSQL and Redis: only on request, and only on PostgreSQL.
pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(
        os.environ.get("NEXUS_FAULT_TESTS") != "1" or not DATABASE_URL.startswith("postgres"),
        reason="fault test: set NEXUS_FAULT_TESTS=1 and a PostgreSQL DATABASE_URL",
    ),
]

SUBMIT = """
mutation Submit($input: SubmitChallengeInput!) {
  submitChallenge(input: $input) { challenge { id title } errors { code message } }
}"""
CLEAN_FAILURE_CODES = {"INTERNAL_ERROR", "SERVICE_UNAVAILABLE"}


# --- the machine's services -------------------------------------------------------------------


def pg_cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        timeout=60,
    )


def pg_ready() -> bool:
    host = urlsplit(DATABASE_URL).hostname or "127.0.0.1"
    return subprocess.run(["pg_isready", "-h", host, "-q"], timeout=10).returncode == 0


def redis_up() -> bool:
    result = subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True, timeout=10
    )
    return result.stdout.strip() == "PONG"


def redis_stop() -> None:
    subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], timeout=10)


def redis_start() -> None:
    # As .ci/run starts it: nothing kept on disk.
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(REDIS_PORT),
         "--save", "", "--appendonly", "no"],
        check=True,
        timeout=30,
    )  # fmt: skip


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} seconds")


def restore_services() -> None:
    """Whatever the test did, leave PostgreSQL and Redis running."""
    if not pg_ready():
        pg_cluster("start")
        wait_for(pg_ready, 60, "PostgreSQL start")
    if not redis_up():
        redis_start()
        wait_for(redis_up, 30, "Redis start")


# --- the server -------------------------------------------------------------------------------


def database_url(name: str) -> str:
    parts = urlsplit(DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql(url: str, sql: str) -> str:
    result = subprocess.run(
        ["psql", url, "-tAc", sql], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fault_database():
    name = "nexus_fault"
    admin = database_url("postgres")
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {name}")
    yield database_url(name)
    restore_services()
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def server(fault_database, tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": fault_database,
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/13",
        "CONN_MAX_AGE": "60",  # kept connections: the restart must be healed, not dodged
        "RATE_LIMIT_MUTATIONS": "1000000",
        "RATE_LIMIT_REQUEST_UNITS": "1000000",  # one address sends the whole stream
        "RATE_LIMIT_AUTH": "1000",
        "LOG_FORMAT": "text",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    setup = (
        "from django.contrib.auth import get_user_model; from hub.models import Project; "
        "get_user_model().objects.create_user('writer', password='fault-test-pass'); "
        "Project.objects.create(title='Fault', slug='fault', summary='s', description='d')"
    )
    subprocess.run(
        [*manage, "shell", "-v0", "-c", setup], cwd=ROOT, env=env, check=True, timeout=120
    )

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [gunicorn, "nexus_graphql.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--worker-class", "gthread", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql/"
    try:
        wait_for(lambda: call(url, "{ __typename }").status == 200, 60, "gunicorn start")
        token = call(
            url,
            'mutation { tokenAuth(username: "writer", password: "fault-test-pass") { token } }',
        ).payload["data"]["tokenAuth"]["token"]
        yield Server(url, token, tmp_path / "gunicorn.log")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@dataclass
class Reply:
    status: int
    payload: dict


@dataclass
class Server:
    url: str
    token: str
    log: Path


def call(url: str, query: str, variables=None, token=None) -> Reply:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"JWT {token}"
    request = urllib.request.Request(url, body, headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, json.loads(error.read() or b"{}"))
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return Reply(0, {})


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

            pg_cluster("restart")  # fast shutdown: every open connection is cut
            wait_for(pg_ready, 60, "PostgreSQL restart")
            mark = len(writers.outcomes)
            wait_for(lambda: writers.acknowledged_since(mark) >= 10, 60, "writes after the restart")

            redis_stop()
            mark = len(writers.outcomes)
            wait_for(lambda: writers.acknowledged_since(mark) >= 10, 60, "writes without Redis")

            redis_start()
            wait_for(redis_up, 30, "Redis start")
            mark = len(writers.outcomes)
            wait_for(lambda: writers.acknowledged_since(mark) >= 10, 60, "writes with Redis back")
    finally:
        restore_services()

    outcomes = writers.outcomes
    acknowledged = {o.title for o in outcomes if o.acknowledged}
    stored = set(
        psql(
            database_url("nexus_fault"),
            "SELECT title FROM hub_challenge WHERE title LIKE 'fault %'",
        ).split("\n")
    )
    log = server.log.read_text()
    refusals = Counter(
        (o.reply.status, *sorted({e.get("extensions", {}).get("code") for e in errors(o.reply)}))
        for o in outcomes
        if not o.acknowledged
    )
    print(
        f"\n{len(outcomes)} writes: {len(acknowledged)} acknowledged, {len(stored)} stored; "
        f"refused: {dict(refusals)}"
    )

    assert acknowledged, "no write succeeded"
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)[:10]}"
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
