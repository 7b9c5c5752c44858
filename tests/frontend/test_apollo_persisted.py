"""Apollo Client with its persisted-queries link (clients/apollo) against a live server.

Every example operation of docs/operations: a miss (PersistedQueryNotFound) the first
time, the document sent once with its hash, then hits by hash (queries over GET, public
and with a weak ETag when anonymous). Once on a server with the defaults, once on one in
trusted-documents mode, where an operation outside the manifest is refused.
"""

import json
import re
import subprocess

import pytest

from tests.frontend.conftest import (
    APOLLO_CLIENT_DIR,
    OPERATIONS_DIR,
    node_available,
    require_tool,
    serve,
)

OPERATION_NAME = re.compile(r"^(?:query|mutation) (\w+)", re.M)
EXAMPLES = {
    OPERATION_NAME.search(path.read_text()).group(1) for path in OPERATIONS_DIR.glob("*.graphql")
}
QUERIES = {
    OPERATION_NAME.search(path.read_text()).group(1)
    for path in OPERATIONS_DIR.glob("*.graphql")
    if OPERATION_NAME.search(path.read_text()).group(0).startswith("query")
}


@pytest.fixture(scope="module")
def apq_server(tmp_path_factory, seeded_database):
    with serve(tmp_path_factory.mktemp("apq-server"), seeded_database) as server:
        yield server


@pytest.fixture(scope="module")
def trusted_server(tmp_path_factory, seeded_database):
    directory = tmp_path_factory.mktemp("trusted-server")
    with serve(directory, seeded_database, GRAPHQL_TRUSTED_DOCUMENTS="true") as server:
        yield server


def run_apollo(server, *flags: str) -> tuple[subprocess.CompletedProcess, str]:
    require_tool(node_available(), "Node.js", "install Node.js 20 or newer")
    require_tool(
        (APOLLO_CLIENT_DIR / "node_modules" / "@apollo" / "client").is_dir(),
        "the Apollo client's packages",
        "run `make js-client` (npm ci in clients/apollo)",
    )
    done = subprocess.run(
        ["node", "run-persisted.mjs", server.graphql_url, *flags],
        cwd=APOLLO_CLIENT_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = f"{done.stdout}\n{done.stderr}\nserver log:\n{server.log_tail()}"
    return done, report


def counts_of(stdout: str) -> dict:
    line = next(line for line in stdout.splitlines() if line.startswith("persisted: "))
    return json.loads(line.removeprefix("persisted: "))


def gets_by_hash_in_server_log(server) -> int:
    """GET requests the server logged with `extensions` (the hash) in their URL.

    runserver is daphne's (subscriptions): its access line for every request is
    `HTTP GET /graphql/?... 200 [...]`; a 4xx is logged again, with a timestamp, by
    django.channels.server, so only the bare access lines are counted."""
    return sum(
        1
        for line in server.log.read_text().splitlines()
        if line.startswith("HTTP GET /graphql/?") and "extensions=" in line
    )


def test_apollo_misses_once_per_operation_then_hits_by_hash(apq_server, figure):
    done, report = run_apollo(apq_server)

    assert done.returncode == 0, report
    counts = counts_of(done.stdout)
    figure(f"Apollo persisted queries: {counts}")
    # One miss and one stored document per example operation, and nothing else missed.
    assert counts["misses"] == counts["stored"] == len(EXAMPLES), report
    assert counts["hits"] == counts["operations"] - counts["misses"], report
    # Hits of the 7 queries go over GET; all but the signed-in `Me` are public.
    assert counts["getHits"] >= 7 and counts["publicGets"] >= 6, report
    ran = {line.split(" - ")[1].split(":")[0] for line in done.stdout.splitlines() if " - " in line}
    assert ran == EXAMPLES, report
    # The server saw them too: each query's miss and each of its hits was a GET by hash.
    queries = sum(1 for name in EXAMPLES if name in QUERIES)
    assert gets_by_hash_in_server_log(apq_server) == counts["getHits"] + queries, report


def test_apollo_in_trusted_documents_mode(trusted_server, figure):
    done, report = run_apollo(trusted_server, "--trusted")

    assert done.returncode == 0, report
    counts = counts_of(done.stdout)
    figure(f"Apollo, trusted documents: {counts}")
    assert counts["misses"] == len(EXAMPLES) and counts["refused"] == 1, report
