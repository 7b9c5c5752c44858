"""What the fault tests share: the machine's services, a real server, HTTP calls.

The tests stop, crash, hang and pause the machine's PostgreSQL and Redis (port 6379,
as .ci/run starts them), so they run only when asked: NEXUS_FAULT_TESTS=1 with a
PostgreSQL DATABASE_URL. `restore_services` leaves both running whatever happened.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# The machine's Redis, as .ci/run starts it; another port keeps a developer's own runs apart.
REDIS_PORT = int(os.environ.get("NEXUS_FAULT_REDIS_PORT", "6379"))

fault_test = [
    pytest.mark.fault,
    pytest.mark.skipif(
        os.environ.get("NEXUS_FAULT_TESTS") != "1" or not DATABASE_URL.startswith("postgres"),
        reason="fault test: set NEXUS_FAULT_TESTS=1 and a PostgreSQL DATABASE_URL",
    ),
]


# --- the machine's services -------------------------------------------------------------------


def pg_cluster(action: str, *options: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *options],
        check=True,
        timeout=60,
    )


def pg_ready() -> bool:
    host = urlsplit(DATABASE_URL).hostname or "127.0.0.1"
    return subprocess.run(["pg_isready", "-h", host, "-q"], timeout=10).returncode == 0


def redis_cli(*args: str, timeout: float = 10) -> str:
    result = subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), *args], capture_output=True, text=True, timeout=timeout
    )
    return result.stdout.strip()


def redis_up() -> bool:
    try:
        return redis_cli("ping", timeout=3) == "PONG"
    except subprocess.TimeoutExpired:
        return False


def redis_stop() -> None:
    redis_cli("shutdown", "nosave")
    wait_for(lambda: not redis_up(), 10, "Redis stop")


def redis_start(snapshot: Path | None = None) -> None:
    """As .ci/run starts it (nothing kept on disk), or loading an old `snapshot`."""
    options = ["--save", "", "--appendonly", "no"]
    if snapshot is not None:
        options += ["--dir", str(snapshot.parent), "--dbfilename", snapshot.name]
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(REDIS_PORT),
         *options],
        check=True,
        timeout=30,
    )  # fmt: skip
    wait_for(redis_up, 30, "Redis start")


def redis_snapshot(path: Path) -> Path:
    """The server's data as of now, in an RDB file it could be restarted from."""
    subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "--rdb", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def redis_restart_plain() -> None:
    """Back to how .ci/run runs it: stopped and started without any file."""
    if redis_up():
        redis_stop()
    redis_start()


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} seconds")


def restore_services() -> None:
    """Whatever the test did, leave PostgreSQL and Redis running and unpaused."""
    if not pg_ready():
        pg_cluster("start")
        wait_for(pg_ready, 60, "PostgreSQL start")
    if redis_up():
        redis_cli("client", "unpause")
    else:
        redis_start()


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


@contextmanager
def fresh_database(name: str):
    admin = database_url("postgres")
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {name}")
    try:
        yield database_url(name)
    finally:
        restore_services()
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Reply:
    status: int
    payload: dict
    headers: dict
    seconds: float = 0.0

    @property
    def errors(self) -> list[dict]:
        return self.payload.get("errors") or []


@dataclass
class Server:
    url: str
    token: str
    log: Path

    @property
    def root(self) -> str:
        return self.url.removesuffix("/graphql/")


def server_env(database: str, **env_extra) -> dict:
    """The service's environment on `database` and Redis db 13, limits out of the way."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/13",
        "CONN_MAX_AGE": "60",  # kept connections: a restart must be healed, not dodged
        "RATE_LIMIT_MUTATIONS": "1000000",
        "RATE_LIMIT_QUERIES": "1000000",
        "RATE_LIMIT_REQUEST_UNITS": "1000000",  # one address sends the whole stream
        "RATE_LIMIT_AUTH": "1000",
        "LOG_FORMAT": "text",
        **env_extra,
    }


@contextmanager
def running_server(database: str, log: Path, *, workers: int = 2, threads: int = 4, **env_extra):
    """gunicorn on `database` and Redis db 13, with a signed-in `writer` contributor."""
    env = server_env(database, **env_extra)
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
    output = log.open("w")
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [gunicorn, "nexus_graphql.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
         "--timeout", "60"],
        cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql/"
    try:
        wait_for(lambda: call(url, "{ __typename }").status == 200, 60, "gunicorn start")
        token = call(
            url,
            'mutation { tokenAuth(username: "writer", password: "fault-test-pass") { token } }',
        ).payload["data"]["tokenAuth"]["token"]
        yield Server(url, token, log)
    finally:
        process.terminate()
        process.wait(timeout=30)
        output.close()


@contextmanager
def running_daphne(database: str, log: Path, **env_extra):
    """daphne serving the ASGI application (subscriptions) on `database`, as the ws pods
    do; the database is running_server's (migrated, with its `writer`). Yields its
    ws:// URL of /graphql/."""
    port = free_port()
    output = log.open("w")
    daphne = shutil.which("daphne", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [daphne, "-b", "127.0.0.1", "-p", str(port), "nexus_graphql.asgi:application"],
        cwd=ROOT, env=server_env(database, **env_extra), stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz").status == 200, 60, "daphne start")
        yield f"ws://127.0.0.1:{port}/graphql/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        output.close()


def call(url: str, query: str, variables=None, token=None, timeout: float = 30) -> Reply:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"JWT {token}"
    started = time.monotonic()
    request = urllib.request.Request(url, body, headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read())
            return Reply(response.status, payload, dict(response.headers), _since(started))
    except urllib.error.HTTPError as error:
        return Reply(error.code, json.loads(error.read() or b"{}"), dict(error.headers))
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return Reply(0, {}, {}, _since(started))


def get(url: str, timeout: float = 30) -> Reply:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Reply(response.status, json.loads(response.read()), {}, _since(started))
    except urllib.error.HTTPError as error:
        return Reply(error.code, json.loads(error.read() or b"{}"), {}, _since(started))
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return Reply(0, {}, {}, _since(started))


def _since(started: float) -> float:
    return time.monotonic() - started


def in_background(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0
