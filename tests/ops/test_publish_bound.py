"""What queueing an email's task costs a request when the broker is down or silent.

A silent broker accepts the TCP connection and never answers (a hung RabbitMQ, a
half-open load balancer); a closed port refuses at once. Either way the answer is
written, its email waits in the outbox (for the sweep), and the request pays at most
about CELERY_BROKER_CONNECTION_TIMEOUT: the bound asserted here, not a speed claim.
The outage is logged in a few lines, not one per write.
"""

import logging
import socket
import time

import pytest

from hub.models import SentEmail, Solution
from hub.models.notifications import EmailState
from hub.services import solutions
from nexus_graphql import celery
from nexus_graphql.outages import Outage
from tests.factories import ChallengeFactory, ContributorFactory
from tests.ops.broker import using_broker

pytestmark = pytest.mark.django_db

BOUND_SECONDS = 1.0


@pytest.fixture
def silent_broker(silent_port):
    """amqp:// URL of a socket that accepts connections and never says a word."""
    return f"amqp://guest:guest@127.0.0.1:{silent_port}//"


@pytest.fixture
def closed_port():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}//"  # nothing listens there any more


def answer_timed(capture) -> tuple[Solution, float]:
    challenge = ChallengeFactory(author=ContributorFactory())
    solver = ContributorFactory()
    started = time.monotonic()
    with capture(execute=True):
        solution = solutions.submit_solution(
            viewer=solver.user, challenge_id=challenge.pk, body="Hi."
        )
    return solution, time.monotonic() - started


@pytest.mark.parametrize("broker", ["silent_broker", "closed_port"])
def test_an_answer_costs_a_bounded_time_when_the_broker_cannot_take_its_task(
    broker, request, django_capture_on_commit_callbacks, settings
):
    with using_broker(request.getfixturevalue(broker)):
        solution, took = answer_timed(django_capture_on_commit_callbacks)

    print(
        f"\n{broker}: answer written in {took * 1000:.0f} ms "
        f"(connection timeout {settings.CELERY_BROKER_CONNECTION_TIMEOUT} s)"
    )
    assert took < BOUND_SECONDS
    email = SentEmail.objects.get(object_id=solution.pk)
    assert (email.state, email.attempts) == (EmailState.PENDING, 0)  # the sweep's to send


def test_a_broker_outage_is_logged_once_then_its_end(
    silent_broker, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    # A process-wide record: start this test's outage from a healthy broker.
    fresh = Outage(celery.logger, celery._broker_outage.what)
    monkeypatch.setattr(celery, "_broker_outage", fresh)
    caplog.set_level(logging.WARNING, logger="nexus.tasks")
    with using_broker(silent_broker):
        for _ in range(3):
            answer_timed(django_capture_on_commit_callbacks)
    with using_broker("memory://"):  # a broker that takes tasks again
        answer_timed(django_capture_on_commit_callbacks)

    lines = [r.getMessage() for r in caplog.records if r.name == "nexus.tasks"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("Broker (queueing tasks) unavailable: OperationalError")
    assert lines[1].startswith("Broker (queueing tasks) recovered after")
    assert lines[1].endswith("(3 failures)")
