"""The outbox's guarantees against a real Celery worker on RabbitMQ, SIGKILLed at each point
of a task, with a real SMTP server (tests/ops/smtp_sink.py) recording what it accepted.

Each case: a worker (`--pool solo`, its own queue) takes the email's task and is killed at
one point; a second worker then gets the unacknowledged task again from RabbitMQ and runs
it to the end. Then the database and the server's mailbox must agree with the kind's
guarantee: at least once (answers, acceptances) delivers one copy or more, all with one
Message-ID, and the record says sent; at most once (the weekly digest) delivers at most
one, and the record says what the hub knows. Also: a broker down when the write commits
delays the email until the sweep, and loses nothing.

Needs NEXUS_E2E_BROKER_URL (.ci/run's PostgreSQL + RabbitMQ stage) and a database the
workers share with the test: skipped otherwise.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

from hub.models import SentEmail
from hub.models.notifications import EmailState
from hub.services import solutions
from hub.tasks import send_weekly_digest, sweep_outbox
from nexus_graphql.celery import publish
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory
from tests.ops.broker import E2E_BROKER_URL, UNREACHABLE, using_broker
from tests.ops.smtp_sink import SmtpSink
from tests.ops.test_worker_e2e import database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not E2E_BROKER_URL, reason="set NEXUS_E2E_BROKER_URL (see .ci/run)"),
]

WAIT_SECONDS = 30
DIGEST_TO = "moderator@example.com"


class Worker:
    """`celery -A tests.ops.email_worker worker --pool solo` on one queue, mail to the sink."""

    def __init__(self, tmp_path: Path, queue: str, sink: SmtpSink):
        self.tmp_path, self.queue, self.sink = tmp_path, queue, sink
        self.process: subprocess.Popen | None = None
        self.runs = 0

    @property
    def log(self) -> Path:
        return self.tmp_path / f"worker-{self.runs}.log"

    def start(self, kill_at: str = "") -> "Worker":
        self.runs += 1
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": E2E_BROKER_URL,
            "CELERY_QUEUE": self.queue,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.sink.port),
            "EMAIL_TIMEOUT": "5",
            "HUB_DIGEST_RECIPIENTS": DIGEST_TO,
            "NEXUS_KILL_AT": kill_at,
        }
        command = [
            *(sys.executable, "-m", "celery", "-A", "tests.ops.email_worker", "worker"),
            *("--queues", self.queue, "--hostname", f"{self.queue}-{self.runs}@%h"),
            *("--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("--loglevel", "INFO"),
        ]
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        self.wait_for(lambda: self.process.poll() is not None or "ready." in self.text(), "ready")
        assert self.process.poll() is None, f"the worker stopped:\n{self.text()}"
        return self

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, condition, what: str):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if found := condition():
                return found
            time.sleep(0.05)
        pytest.fail(f"no {what} after {WAIT_SECONDS}s; worker log:\n{self.text()[-4000:]}")

    def wait_killed(self) -> None:
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker was not killed; its log:\n{self.text()[-4000:]}")
        assert self.process.returncode == -signal.SIGKILL, self.text()[-4000:]

    def wait_tasks_done(self, count: int) -> None:
        self.wait_for(lambda: self.text().count(" succeeded in ") >= count, f"{count} tasks done")

    def stop(self) -> None:
        # Its tasks are done and acknowledged: a kill spares the ~10 s of a warm shutdown.
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT_SECONDS)


@pytest.fixture
def queue():
    name = f"nexus-faults-{uuid.uuid4().hex[:10]}"
    yield name
    with Connection(E2E_BROKER_URL, connect_timeout=5) as broker:
        broker.default_channel.queue_delete(name)


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def worker(transactional_db, tmp_path, queue, sink):
    process = Worker(tmp_path, queue, sink)
    yield process
    process.stop()


# What each kind of email causes, and which record it leaves (None: the digest's).
def _answer(queue):
    asker = ContributorFactory(user__email="asker@example.com")
    challenge = ChallengeFactory(author=asker)
    solver = ContributorFactory()
    with using_broker(E2E_BROKER_URL, task_default_queue=queue):
        solution = solutions.submit_solution(
            viewer=solver.user, challenge_id=challenge.pk, body="Ack late."
        )
    return SentEmail.objects.get(key=f"solution-submitted:{solution.pk}")


def _acceptance(queue):
    asker = ContributorFactory()
    solution = SolutionFactory(
        challenge=ChallengeFactory(author=asker), author=ContributorFactory(user__email="s@x.org")
    )
    with using_broker(E2E_BROKER_URL, task_default_queue=queue):
        solutions.accept_solution(viewer=asker.user, solution_id=solution.pk)
    return SentEmail.objects.get(key=f"solution-accepted:{solution.pk}")


def _digest(queue):
    with using_broker(E2E_BROKER_URL, task_default_queue=queue):
        assert publish(send_weekly_digest)  # as Celery beat does on Mondays


CAUSES = {"answer": _answer, "acceptance": _acceptance, "digest": _digest}

# (cause, kill point): (copies the server accepted, final state, tries recorded)
CASES = {
    # At least once: killed before the record says sent, the email goes again.
    ("answer", "task-started"): (1, EmailState.SENT, 1),
    ("answer", "smtp-connected"): (1, EmailState.SENT, 2),
    ("answer", "smtp-accepted"): (2, EmailState.SENT, 2),
    ("answer", "task-finished"): (1, EmailState.SENT, 1),
    ("acceptance", "smtp-accepted"): (2, EmailState.SENT, 2),
    # At most once: once claimed (committed), never again; "sending" says it was claimed
    # and the outcome is unknown to the hub (here: lost, or delivered).
    ("digest", "task-started"): (1, EmailState.SENT, 1),
    ("digest", "smtp-connected"): (0, EmailState.SENDING, 1),
    ("digest", "smtp-accepted"): (1, EmailState.SENDING, 1),
    ("digest", "task-finished"): (1, EmailState.SENT, 1),
}


@pytest.mark.parametrize("cause, point", list(CASES), ids=[f"{c}-{p}" for c, p in CASES])
def test_a_worker_killed_at_each_point_of_an_email_task(worker, sink, queue, cause, point):
    copies, state, tries = CASES[(cause, point)]
    if point.startswith("smtp-"):
        worker.start()
        sink.kill_at(point, worker.process.pid)
    else:
        worker.start(kill_at=point)

    CAUSES[cause](queue)
    worker.wait_killed()
    worker.start()  # RabbitMQ delivers the unacknowledged task again
    worker.wait_tasks_done(1)

    email = SentEmail.objects.get()
    if cause == "digest":
        assert email.recipient == DIGEST_TO
    ids = sink.message_ids
    print(f"\n{cause} killed at {point}: {len(ids)} copies, {email.state}, {email.attempts} tries")
    assert (len(ids), email.state, email.attempts) == (copies, state, tries)
    assert set(ids) <= {email.message_id}  # every copy: one Message-ID, the record's
    if state == EmailState.SENT:
        assert email.sent_at is not None


def test_a_broker_down_at_commit_delays_the_email_until_the_sweep(worker, sink, queue):
    asker = ContributorFactory(user__email="asker@example.com")
    challenge = ChallengeFactory(author=asker)
    solver = ContributorFactory()
    with using_broker(UNREACHABLE, task_default_queue=queue):
        started = time.monotonic()
        solution = solutions.submit_solution(
            viewer=solver.user, challenge_id=challenge.pk, body="Down."
        )
        took = time.monotonic() - started
    email = SentEmail.objects.get(key=f"solution-submitted:{solution.pk}")
    assert (email.state, email.attempts) == (EmailState.PENDING, 0)
    print(f"\nanswer written with the broker down in {took * 1000:.0f} ms; email pending")

    worker.start()
    SentEmail.objects.filter(pk=email.pk).update(due_at=email.created_at)  # a minute on
    with using_broker(E2E_BROKER_URL, task_default_queue=queue):
        assert publish(sweep_outbox)  # as Celery beat does every minute
    worker.wait_tasks_done(1)

    email.refresh_from_db()
    assert (email.state, email.attempts) == (EmailState.SENT, 1)
    assert sink.message_ids == [email.message_id]
