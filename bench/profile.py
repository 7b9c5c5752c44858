"""Profile the uncached read path step by step, before and after each optimization.

    .venv/bin/python -m bench.profile      # needs the seeded bench database (bench/seed.py)

Each step is a setting of the same process, measured in CPU time per request
(interleaved rounds, so the machine's other load hits every step alike), and
profiled with pyinstrument; the text profiles go to bench/results/profile-*.txt
and a summary table to bench/results/profile.md.
"""

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
QUERIES = Path(__file__).resolve().parent / "queries"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nexus_bench"


def main() -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="nexus_graphql.settings",
        DATABASE_URL=DATABASE_URL,
        GRAPHQL_RESPONSE_CACHE="false",
        DEBUG="false",
        SECRET_KEY="bench-profile-secret-key-0123456789abcdefghij",
        ALLOWED_HOSTS="testserver",
        TRAFFIC_TRACKING="false",
        RATE_LIMIT_ENABLED="false",
    )
    sys.path.insert(0, str(RESULTS.parent.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.test import RequestFactory
    from graphql import ExecutionContext
    from pyinstrument import Profiler

    from nexus_graphql import views
    from nexus_graphql.execution import LeanExecutionContext

    body = json.dumps({"query": (QUERIES / "nested_list.graphql").read_text()})
    view = views.NexusGraphQLView.as_view()
    factory = RequestFactory()

    def request():
        response = view(factory.post("/graphql/", body, content_type="application/json"))
        assert response.status_code == 200, response.content[:200]

    def configure(prefetch: bool, lean: bool, gc_threshold: int | None):
        settings.HUB_PREFETCH = prefetch
        views.LeanExecutionContext = LeanExecutionContext if lean else ExecutionContext
        gc.set_threshold(*((gc_threshold, 20, 20) if gc_threshold else (700, 10, 10)))

    steps = [
        ("naive (no prefetching)", dict(prefetch=False, lean=False, gc_threshold=None)),
        ("prefetching", dict(prefetch=True, lean=False, gc_threshold=None)),
        ("+ lean execution", dict(prefetch=True, lean=True, gc_threshold=None)),
        ("+ GC threshold 50,000", dict(prefetch=True, lean=True, gc_threshold=50_000)),
    ]
    gc.freeze()
    request()
    times: dict[str, list[float]] = {name: [] for name, _ in steps}
    for _ in range(5):
        for name, options in steps:
            configure(**options)
            repeats = 1 if not options["prefetch"] else 5
            start = time.process_time()
            for _ in range(repeats):
                request()
            times[name].append((time.process_time() - start) * 1000 / repeats)

    RESULTS.mkdir(exist_ok=True)
    lines = [
        "# Uncached nested list: CPU per request, step by step",
        "",
        "`python -m bench.profile`: one process, the bench database, the reference nested "
        "list (100 challenges with authors, projects, technologies, first 5 solutions with "
        "authors); steps interleaved over 5 rounds, median CPU ms per request. Profiles: "
        "`profile-<step>.txt` (pyinstrument).",
        "",
        "| step | CPU ms/request | x faster than naive |",
        "|---|---:|---:|",
    ]
    naive = statistics.median(times[steps[0][0]])
    for name, options in steps:
        median = statistics.median(times[name])
        lines.append(f"| {name} | {median:.1f} | {naive / median:.1f} |")
        configure(**options)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(1 if not options["prefetch"] else 5):
            request()
        profiler.stop()
        slug = name.strip("+ ").split(" (")[0].replace(" ", "-").replace(",", "")
        (RESULTS / f"profile-{slug}.txt").write_text(
            profiler.output_text(unicode=False, color=False, show_all=False)
        )
    (RESULTS / "profile.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
