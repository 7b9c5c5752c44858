"""A stock JavaScript client (graphql-request, clients/js) runs every example operation."""

import re
import subprocess

from tests.frontend.conftest import JS_CLIENT_DIR, OPERATIONS_DIR, node_available, require_tool

OPERATION_NAME = re.compile(r"^(?:query|mutation) (\w+)", re.M)


def run_client(server) -> subprocess.CompletedProcess:
    require_tool(node_available(), "Node.js", "install Node.js 18 or newer")
    require_tool(
        (JS_CLIENT_DIR / "node_modules" / "graphql-request").is_dir(),
        "the JS client's packages",
        "run `make js-client` (npm ci in clients/js)",
    )
    return subprocess.run(
        ["node", "run-operations.mjs", server.graphql_url],
        cwd=JS_CLIENT_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_js_client_runs_every_example_operation_in_order(nexus_server):
    done = run_client(nexus_server)

    report = f"{done.stdout}\n{done.stderr}\nserver log:\n{nexus_server.log_tail()}"
    assert done.returncode == 0, report
    ran = [line.split(" - ")[1].split(":")[0] for line in done.stdout.splitlines() if " - " in line]
    every_example = {
        OPERATION_NAME.search(path.read_text()).group(1)
        for path in OPERATIONS_DIR.glob("*.graphql")
    }
    assert set(ran) == every_example, report
    assert ran.index("Register") < ran.index("SubmitChallenge") < ran.index("AcceptSolution")

    # What the client did is in the hub, seen by any other client.
    slug = re.search(r"SubmitChallenge: challenge (\S+)", done.stdout).group(1)
    seen = nexus_server.post(
        """query ($slug: String!) { challenge(slug: $slug) {
             acceptedSolution { score isAccepted author { reputation } }
             comments(first: 5) { totalCount edges { node { replies { totalCount } } } }
           } }""",
        {"slug": slug},
    )["data"]["challenge"]
    assert seen["acceptedSolution"] == {
        "score": 1,
        "isAccepted": True,
        "author": {"reputation": 10 + 15},  # one upvote, one accepted answer
    }
    assert seen["comments"]["totalCount"] == 1
    assert seen["comments"]["edges"][0]["node"]["replies"]["totalCount"] == 1
