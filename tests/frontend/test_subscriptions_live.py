"""npm graphql-ws against a live server (daphne's runserver): another client's mutation
returns and the event reaches every subscriber, once, within a second.

The server's channel layer is the environment's: in-process in the README's test run,
Redis (CHANNEL_REDIS_URL) in CI's PostgreSQL + Redis run; the figures name it."""

import json
import os
import shutil
import subprocess

import pytest

from tests.frontend.conftest import (
    JS_CLIENT_DIR,
    _manage,
    _server_env,
    node_available,
    require_tool,
    serve,
)

USERNAME, PASSWORD = "live-subscriber", "a-long-enough-password-1"


@pytest.fixture(scope="module")
def ws_server(tmp_path_factory, seeded_database):
    require_tool(node_available(), "Node.js", "install Node.js 18 or newer")
    require_tool(
        (JS_CLIENT_DIR / "node_modules" / "graphql-ws").is_dir(),
        "graphql-ws",
        "run `make js-client` (npm ci in clients/js)",
    )
    directory = tmp_path_factory.mktemp("nexus-live-subscriptions")
    database = directory / "with-user.sqlite3"
    shutil.copyfile(seeded_database, database)
    _manage(
        _server_env(database),
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})",
    )
    # Many sockets from one address: the per-address cap is the test's to raise.
    with serve(directory, database, GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS="1000") as server:
        yield server


LAYER = "Redis" if os.environ.get("CHANNEL_REDIS_URL") else "in-process"


def subscribers_run(server, count: int, figure) -> dict:
    done = subprocess.run(
        ["node", "subscriptions.mjs", server.graphql_url, USERNAME, PASSWORD, str(count)],
        cwd=JS_CLIENT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{server.log_tail()}"
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figure(f"graphql-ws, {LAYER} channel layer, {count} subscriber(s): {figures}")
    return figures


def test_one_subscriber_gets_the_event_within_a_second(ws_server, figure):
    figures = subscribers_run(ws_server, 1, figure)
    assert figures["exactlyOne"] == 1
    assert figures["maxMs"] < 1000


def test_200_subscribers_each_get_exactly_one_event(ws_server, figure):
    figures = subscribers_run(ws_server, 200, figure)
    assert figures["missing"] == 0
    assert figures["exactlyOne"] == 200
