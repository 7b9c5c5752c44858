"""End to end on the real services: an answer posted through the API is emailed by a
real Celery worker that takes the task from RabbitMQ.

Needs NEXUS_E2E_BROKER_URL (.ci/run sets it and starts RabbitMQ) and a database the
worker process can share with the test (PostgreSQL, or SQLite in a file): skipped
otherwise. Each run uses its own queue, deleted afterwards.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from graphql_jwt.shortcuts import get_token
from graphql_relay import to_global_id
from kombu import Connection

from hub.models import SentEmail
from tests.factories import ChallengeFactory, ContributorFactory
from tests.ops.broker import E2E_BROKER_URL, using_broker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not E2E_BROKER_URL, reason="set NEXUS_E2E_BROKER_URL (see .ci/run)"),
]

WAIT_SECONDS = 60

SUBMIT = """
mutation Answer($input: SubmitSolutionInput!) {
  submitSolution(input: $input) { solution { id } errors { field code message } }
}
"""


def database_url() -> str:
    """The test database, as a URL for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            pytest.skip("the worker cannot share an in-memory SQLite database")
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or 'localhost'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def wait_for(condition, what: str, log: Path):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"no {what} after {WAIT_SECONDS}s; worker log:\n{log.read_text()[-4000:]}")


@pytest.fixture
def queue():
    name = f"nexus-e2e-{uuid.uuid4().hex[:10]}"
    yield name
    with Connection(E2E_BROKER_URL, connect_timeout=5) as broker:
        broker.default_channel.queue_delete(name)


@pytest.fixture
def outbox(tmp_path):
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


@pytest.fixture
def worker(transactional_db, queue, outbox, tmp_path):
    """`celery -A nexus_graphql worker` on the queue, sending email to files in `outbox`."""
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": E2E_BROKER_URL,
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "LOG_FORMAT": "json",
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "nexus_graphql", "worker"),
        *("--queues", queue, "--hostname", f"{queue}@%h", "--pool", "solo"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_for(
            lambda: process.poll() is not None or "ready." in log.read_text(),
            "ready worker",
            log,
        )
        assert process.poll() is None, f"the worker stopped:\n{log.read_text()}"
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_an_answer_posted_through_the_api_is_emailed_by_the_worker(worker, queue, outbox):
    asker = ContributorFactory(user__email="asker@example.com", display_name="Asker")
    challenge = ChallengeFactory(author=asker, title="Messages pile up in the queue")
    solver = ContributorFactory(display_name="Solver")
    with using_broker(E2E_BROKER_URL, task_default_queue=queue):
        response = Client().post(
            "/graphql/",
            json.dumps(
                {
                    "query": SUBMIT,
                    "variables": {
                        "input": {
                            "challengeId": to_global_id("Challenge", challenge.pk),
                            "body": "Add a consumer, and ack late.",
                        }
                    },
                }
            ),
            content_type="application/json",
            headers={"Authorization": f"JWT {get_token(solver.user)}", "X-Request-ID": queue},
        )
    assert response.status_code == 200
    assert response.json()["data"]["submitSolution"]["errors"] == []

    [sent] = wait_for(lambda: list(outbox.iterdir()), "email", worker)
    email = message_from_bytes(sent.read_bytes())
    assert email["To"] == "asker@example.com"
    assert str(make_header(decode_header(email["Subject"]))) == (
        'New answer to "Messages pile up in the queue"'
    )
    assert "Solver answered your challenge" in email.get_payload(decode=True).decode()
    assert SentEmail.objects.get().recipient == "asker@example.com"
    # The request's id followed the task into the worker's (JSON) logs.
    sent_lines = [
        json.loads(line)
        for line in worker.read_text().splitlines()
        if line.startswith("{") and "email solution-submitted" in line
    ]
    assert [line["request_id"] for line in sent_lines] == [queue]


def test_ready_with_the_real_broker():
    with using_broker(E2E_BROKER_URL):
        response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"
