"""Where the cached path's p99 goes: one cached Nexus server per variant, short wrk runs.

    .venv/bin/python -m bench.tail [--seconds 5] [--rounds 2] [--variants sync,gthread,...]

Runs on bench.run's database (seeded by it) and Redis db. Each variant is the cached
nested list at bench.run's 4 connections; per variant it prints req/s, p50, p99, CPU/req,
the workers' cyclic-GC pauses (count, longest, and how many requests they could delay),
and Redis commands per request (bench/tail_probe.py counts them inside the workers).
"""

import argparse
import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.run import (
    GUNICORN,
    ROOT,
    Context,
    MeasureError,
    Target,
    load,
    nexus_env,
    scenario_requests,
    send,
)

PROBE = ROOT / "bench" / "tail_probe.py"


def server(port: int, worker_class: str, workers: int, threads: int) -> list[str]:
    return [
        str(GUNICORN),
        "nexus_graphql.wsgi:application",
        "-c",
        str(PROBE),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]


# name -> (worker class, workers, threads, extra environment)
VARIANTS = {
    "sync": ("sync", 2, 1, {}),
    "sync-gc-at-threshold": ("sync", 2, 1, {"PYTHON_GC_AFTER_RESPONSE": "false"}),
    "sync-no-request-log": ("sync", 2, 1, {"TRAFFIC_TRACKING": "false"}),
    "sync-default-gc": ("sync", 2, 1, {"PYTHON_GC_THRESHOLD": "0"}),
    "sync-4-workers": ("sync", 4, 1, {}),
    "gthread": ("gthread", 2, 4, {}),
    "gthread-1-thread": ("gthread", 2, 1, {}),
}


def warm_up(target: Target, requests, timeout: float = 90) -> None:
    """Until both workers answer: a worker's first request loads the schema (seconds)."""
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(4) as pool:
        while time.monotonic() < deadline:
            started = time.monotonic()
            list(pool.map(lambda _: send(target.base, requests[0]), range(4)))
            if time.monotonic() - started < 0.5:
                return
    raise MeasureError(f"bench: {target.name} did not warm up in {timeout:.0f} s")


def run_variant(name: str, seconds: int, rounds: int, log_dir: Path) -> dict:
    worker_class, workers, threads, extra = VARIANTS[name]
    probe_dir = tempfile.mkdtemp(prefix="nexus-tail-")
    target = Target(
        name,
        8111,
        server(8111, worker_class, workers, threads),
        nexus_env(GRAPHQL_RESPONSE_CACHE="true", TAIL_PROBE_DIR=probe_dir, **extra),
    )
    requests = scenario_requests("nexus-cached", "nested list", Context())
    target.start(log_dir)
    try:
        target.wait_ready()
        warm_up(target, requests)
        load(target, requests, 2, 1)  # fills the cache
        window_start = time.time()
        measures = [load(target, requests, seconds) for _ in range(rounds)]
        window_end = time.time()
    finally:
        target.stop()
    probes = [json.loads(p.read_text()) for p in Path(probe_dir).glob("*.json")]
    # Only what happened while wrk measured (not start-up's imports and first requests).
    in_window = [
        (ms, gen)
        for p in probes
        for at, ms, gen in p["gc_pauses"]
        if window_start <= at <= window_end
    ]
    pauses = [ms for ms, _ in in_window]
    print(
        f"  {name}: GC pauses by generation:",
        sorted((gen, round(ms, 1)) for ms, gen in in_window)[-8:],
    )
    flushes = [
        ms for p in probes for at, ms in p["log_flushes"] if window_start <= at <= window_end
    ]
    served = sum(p["requests"] for p in probes)
    return {
        "variant": name,
        "rps": statistics.median(m.requests_per_second for m in measures),
        "p50": statistics.median(m.p50_ms for m in measures),
        "p99": statistics.median(m.p99_ms for m in measures),
        "p99s": [round(m.p99_ms, 1) for m in measures],
        "cpu": statistics.median(m.cpu_ms_per_request for m in measures),
        "errors": sum(m.errors for m in measures),
        "gc_pauses": len(pauses),
        "gc_longest_ms": max(pauses, default=0.0),
        "gc_over_5ms": sum(ms > 5 for ms in pauses),
        "log_flushes": len(flushes),
        "log_flush_longest_ms": max(flushes, default=0.0),
        "redis_per_request": (sum(p["redis"] for p in probes) / served) if served else None,
        "probed_workers": len(probes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    log_dir = ROOT / "bench" / "results" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    print(
        "| variant | req/s | p50 ms | p99 ms (median; rounds) | CPU ms/req | GC pauses "
        "(>5 ms, longest ms) | Redis cmds/req | errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.variants.split(","):
        r = run_variant(name, args.seconds, args.rounds, log_dir)
        redis = "-" if r["redis_per_request"] is None else f"{r['redis_per_request']:.2f}"
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} ({r['p99s']}) | "
            f"{r['cpu']:.2f} | {r['gc_pauses']} ({r['gc_over_5ms']}, {r['gc_longest_ms']:.1f}) | "
            f"{r['log_flushes']} ({r['log_flush_longest_ms']:.1f}) | {redis} | {r['errors']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
