"""The real Celery app, for a worker the fault tests kill (tests/ops/test_email_delivery_faults.py).

    celery -A tests.ops.email_worker worker ...

With NEXUS_KILL_AT=task-started the worker SIGKILLs itself as a task starts (before any
of its work), with NEXUS_KILL_AT=task-finished once a task has returned (its records
committed) and before the broker has its ack. Production code has no hook for this: the
kill rides on Celery's own task signals. Points inside the SMTP conversation are the
test's SMTP sink's to kill (tests/ops/smtp_sink.py).
"""

import os
import signal

from celery import signals

from nexus_graphql.celery import app

__all__ = ["app"]

KILL_AT = os.environ.get("NEXUS_KILL_AT", "")
_SIGNALS = {"task-started": signals.task_prerun, "task-finished": signals.task_postrun}


def _die(**kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


if KILL_AT:
    _SIGNALS[KILL_AT].connect(_die, weak=False)
