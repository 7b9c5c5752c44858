"""Point the Celery app at a broker for one test (not a test module).

Settings leave tasks in-process (no CELERY_BROKER_URL in tests); a test that
needs a broker, real or unreachable, swaps the app's configuration and closes
its connection pool on the way in and out.
"""

import os
from contextlib import contextmanager

import kombu.pools

from nexus_graphql.celery import app

UNREACHABLE = "amqp://guest:guest@127.0.0.1:1//"
# The real broker CI starts (.ci/run); tests that need one are skipped without it.
E2E_BROKER_URL = os.environ.get("NEXUS_E2E_BROKER_URL", "")


@contextmanager
def using_broker(url: str, **conf):
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", *conf)}
    _forget_connections()
    app.conf.update(task_always_eager=False, broker_url=url, **conf)
    try:
        yield app
    finally:
        _forget_connections()
        app.conf.update(saved)


def _forget_connections() -> None:
    # Celery keeps its connection and producer pools, made for the broker of the time
    # (even eager calls make a producer pool): drop both, as it does after a fork. Kombu
    # also keeps them in its registry by broker URL: reset it, or the next test on the
    # same URL gets the closed pool ("Acquire on closed pool").
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
