"""GraphQL over HTTP, to the letter: npm graphql-http's serverAudits against a live server.

Every audit (the spec's MUSTs, SHOULDs and MAYs) must pass: 0 errors, 0 warnings.
"""

import re
import subprocess

from tests.frontend.conftest import HTTP_AUDIT_DIR, node_available, require_tool

SUMMARY = re.compile(r"^audit: (\d+) ok, (\d+) warnings, (\d+) errors, (\d+) notices$", re.M)


def test_the_graphql_over_http_audit_passes_without_errors_or_warnings(nexus_server, figure):
    require_tool(node_available(), "Node.js", "install Node.js 20 or newer")
    require_tool(
        (HTTP_AUDIT_DIR / "node_modules" / "graphql-http").is_dir(),
        "the audit's packages",
        "run `make js-client` (npm ci in clients/http-audit)",
    )

    done = subprocess.run(
        ["node", "run-audit.mjs", nexus_server.graphql_url],
        cwd=HTTP_AUDIT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    report = f"{done.stdout}\n{done.stderr}\nserver log:\n{nexus_server.log_tail()}"
    summary = SUMMARY.search(done.stdout)
    assert summary, report
    ok, warnings, errors, notices = map(int, summary.groups())
    figure(f"graphql-http audit: {ok} ok, {warnings} warnings, {errors} errors, {notices} notices")
    assert (warnings, errors) == (0, 0), report
    assert ok >= 50, report  # the suite ran (graphql-http 1.23.1 has 61 audits)
    assert done.returncode == 0, report
