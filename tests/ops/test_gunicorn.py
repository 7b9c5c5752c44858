"""Serving as in production: gunicorn with deploy/gunicorn.conf.py, DEBUG off, two workers.

One server for the module (it takes a few seconds to migrate, collect static files
and start): probes, GraphQL, static files from WhiteNoise, metrics gathered from
both workers, and JSON access logs carrying request ids.
"""

import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from nexus_graphql import graphiql

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, port: int, log: Path, static_root: Path):
        self.base, self.log, self.static_root = f"http://127.0.0.1:{port}", log, static_root

    def request(self, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def log_lines(self) -> list[dict]:
        return [
            json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")
        ]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "test-only-secret-key-for-the-gunicorn-test-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "STATIC_ROOT": str(folder / "static"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "METRICS_OPERATION_NAMES": "Sum",  # other names count as "other" (nexus_graphql.metrics)
    }
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [*manage, *command], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True
        )
    log = folder / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, log, folder / "static")
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
            try:
                if server.request("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"gunicorn not up:\n{log.read_text()}"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_probes_answer(server):
    assert server.request("/healthz")[0] == 200
    status, _, body = server.request("/readyz")
    assert status == 200
    assert json.loads(body)["status"] == "ready"


def test_graphql_is_served_with_a_request_id(server):
    status, headers, body = server.request(
        "/graphql/", {"query": "{ hubStats { challenges } }"}, {"X-Request-ID": "gunicorn-test-1"}
    )

    assert status == 200
    assert json.loads(body) == {"data": {"hubStats": {"challenges": 0}}}
    assert headers["X-Request-ID"] == "gunicorn-test-1"


def test_static_files_are_served_by_whitenoise_with_long_caching(server):
    manifest = json.loads((server.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]

    status, headers, _ = server.request(f"/static/{hashed}")

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]


def test_graphiql_loads_its_own_static_files_intact(server):
    status, _, page = server.request("/graphql/", headers={"Accept": "text/html"})
    assert status == 200
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"(?: integrity="([^"]+)")?', page.decode())
    assert len(assets) >= 2  # GraphiQL's bundle: a stylesheet and a script
    # Monaco's workers, named in the page's config (hashed too), with their built hashes.
    config = json.loads(
        re.search(
            r'id="nexus-graphiql-config" type="application/json">(.*?)</script>', page.decode()
        )[1]
    )
    for label, url in config["workers"].items():
        assets.append((url, graphiql.WORKERS[label].integrity))

    for url, integrity in assets:
        status, _, content = server.request(url)
        assert status == 200, url
        if integrity:  # hashed names must not change the bytes the page vouches for
            digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
            assert integrity == f"sha256-{digest}", url


def test_metrics_add_up_across_workers(server):
    for _ in range(6):
        server.request("/graphql/", {"query": "query Sum { hubStats { projects } }"})

    status, _, body = server.request("/metrics")

    assert status == 200
    assert 'nexus_graphql_operations_total{operation="Sum",outcome="ok"} 6.0' in body.decode()


def test_access_logs_are_json_lines_with_the_request_id(server):
    server.request(
        "/graphql/", {"query": "{ hubStats { learnings } }"}, {"X-Request-ID": "trace-me"}
    )
    time.sleep(0.2)

    [line] = [e for e in server.log_lines() if e.get("request_id") == "trace-me"]

    assert line["logger"] == "gunicorn.access"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql/", 200)
    assert line["duration_ms"] > 0
