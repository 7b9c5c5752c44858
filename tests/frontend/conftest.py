"""A Nexus server for the frontend tests, started the way `make run` starts it.

`manage.py runserver` (DEBUG, static files from the apps, embedded defaults: a
fresh migrated and seeded SQLite database, local-memory cache) on a free port
of 127.0.0.1, in a subprocess, once per test session; `serve()` starts more of
them (other settings, a copy of the same seeded database) for one module. Node.js and Chromium are
outside the Python venv: without them these tests are skipped, unless
NEXUS_REQUIRE_FRONTEND_TOOLS=1 (as in .ci/run), where they fail instead.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS_DIR = ROOT / "docs" / "operations"
JS_CLIENT_DIR = ROOT / "clients" / "js"
APOLLO_CLIENT_DIR = ROOT / "clients" / "apollo"
HTTP_AUDIT_DIR = ROOT / "clients" / "http-audit"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def require_tool(available: bool, what: str, how: str) -> None:
    """Skip (or, when CI requires the tools, fail) a test that needs `what`."""
    if available:
        return
    message = f"{what} not found: {how}"
    if os.environ.get("NEXUS_REQUIRE_FRONTEND_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def node_available() -> bool:
    return shutil.which("node") is not None


@dataclass(frozen=True)
class Server:
    origin: str  # http://127.0.0.1:<port>
    log: Path

    @property
    def graphql_url(self) -> str:
        return f"{self.origin}/graphql/"

    def post(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """A GraphQL request as any HTTP client sends it; the JSON answer."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"JWT {token}"
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(self.graphql_url, body, headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory) -> Path:
    """A migrated and seeded SQLite database file, copied for each server."""
    directory = tmp_path_factory.mktemp("nexus-seeded")
    database = directory / "db.sqlite3"
    env = _server_env(database)
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_hub")
    return database


def _server_env(database: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexus_graphql.settings",  # the service's, not the tests'
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        **extra,
    }


@contextmanager
def serve(directory: Path, seeded: Path, **env: str):
    """`manage.py runserver` on a free port over a copy of the seeded database."""
    database = directory / "db.sqlite3"
    shutil.copyfile(seeded, database)
    port = _free_port()
    log = directory / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=_server_env(database, **env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def nexus_server(tmp_path_factory, seeded_database) -> Server:
    with serve(tmp_path_factory.mktemp("nexus-server"), seeded_database) as server:
        yield server


def _wait_until_up(server: Server, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{server.log_tail()}")
        try:
            server.post("{ hubStats { technologies } }")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within {seconds} s:\n{server.log_tail()}")
