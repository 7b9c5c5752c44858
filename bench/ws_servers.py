"""daphne or uvicorn for the WebSocket path: the same ASGI application, the same delivery.

    .venv/bin/python -m bench.ws_servers [--subscribers 200] [--rounds 3] [--redis URL]

Per round and server (interleaved, so a busy machine slows both alike): the server alone
on a fresh port over one seeded SQLite database, the channel layer in-process or on
Redis (--redis, a database of its own), then clients/js/subscriptions.mjs: N graphql-ws
subscribers on one challenge, one answer posted through the same server, and how long
until each subscriber had its event. Also the server's CPU for the whole round (the
handshakes, N subscribes, the answer and N pushes). Needs `make js-client`. Fails loudly
when a figure cannot be measured (a subscriber missing its event, a server that exits).
Writes bench/results/ws-servers.md.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JS_CLIENT = ROOT / "clients" / "js"
USERNAME, PASSWORD = "ws-bench", "a-long-enough-password-1"
SERVERS = {
    "daphne": lambda port: [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port)],
    "uvicorn": lambda port: [
        str(BIN / "uvicorn"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ws",
        "websockets",
        "--no-access-log",
    ],
}
APPLICATION = "nexus_graphql.asgi:application"


class MeasureError(Exception):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database: Path, redis_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexus_graphql.settings",
        "DEBUG": "false",
        "SECRET_KEY": "ws-bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "CHANNEL_REDIS_URL": redis_url,
        "GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS": "100000",
        "RATE_LIMIT_REQUEST_UNITS": "1000000",
        "RATE_LIMIT_MUTATIONS": "1000000",
        "RATE_LIMIT_AUTH": "1000",
        "LOG_LEVEL": "WARNING",
    }


def seeded_database(directory: Path, redis_url: str) -> Path:
    database = directory / "hub.sqlite3"
    env = environment(database, redis_url)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["load_hub", "-v0"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, timeout=600)
    create = (
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})"
    )
    subprocess.run([*manage, "shell", "-c", create], cwd=ROOT, env=env, check=True, timeout=120)
    return database


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(name: str, database: Path, redis_url: str, subscribers: int, log: Path) -> dict:
    port = free_port()
    with log.open("a") as output:
        process = subprocess.Popen(
            [*SERVERS[name](port), APPLICATION],
            cwd=ROOT,
            env=environment(database, redis_url),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/graphql/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise MeasureError(f"{name} exited ({process.returncode}); see {log}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise MeasureError(f"{name} did not answer /healthz within 60 s") from None
                time.sleep(0.2)
        cpu_before = cpu_seconds(process.pid)
        done = subprocess.run(
            ["node", "subscriptions.mjs", url, USERNAME, PASSWORD, str(subscribers)],
            cwd=JS_CLIENT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        cpu = cpu_seconds(process.pid) - cpu_before
        if done.returncode != 0:
            raise MeasureError(f"{name}: subscriptions.mjs failed: {done.stderr[-2000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if figures["missing"] or figures["exactlyOne"] != subscribers:
            raise MeasureError(f"{name}: not every subscriber got exactly one event: {figures}")
        return {**figures, "cpuMs": cpu * 1000}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def table(results: dict, subscribers: int, layer: str, rounds: int) -> str:
    lines = [
        f"# daphne vs uvicorn: {subscribers} graphql-ws subscribers, {layer} channel layer",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {rounds} interleaved rounds, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end. "
        "Medians of the rounds (their range in brackets).",
        "",
        "| server | mutation ms | event p50 ms | event max ms | server CPU ms/round |",
        "|---|---:|---:|---:|---:|",
    ]

    def cell(rows, key):
        values = [row[key] for row in rows]
        return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"

    for name, rows in results.items():
        lines.append(
            f"| {name} | {cell(rows, 'mutationMs')} | {cell(rows, 'p50Ms')} | "
            f"{cell(rows, 'maxMs')} | {cell(rows, 'cpuMs')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", default="", help="channel layer URL (default in-process)")
    options = parser.parse_args()
    if not (JS_CLIENT / "node_modules" / "graphql-ws").is_dir() or not shutil.which("node"):
        raise SystemExit("needs Node.js and `make js-client`")
    results: dict[str, list] = {name: [] for name in SERVERS}
    with tempfile.TemporaryDirectory(prefix="nexus-ws-bench-") as directory:
        directory = Path(directory)
        database = seeded_database(directory, options.redis)
        for number in range(options.rounds):
            for name in SERVERS:
                row = one_round(
                    name, database, options.redis, options.subscribers, directory / f"{name}.log"
                )
                results[name].append(row)
                print(f"round {number + 1} {name}: {row}", flush=True)
    layer = "Redis" if options.redis else "in-process"
    report = table(results, options.subscribers, layer, options.rounds)
    (ROOT / "bench" / "results" / "ws-servers.md").write_text(report)
    print(report)


if __name__ == "__main__":
    try:
        main()
    except MeasureError as error:
        raise SystemExit(f"ws_servers: {error}") from None
