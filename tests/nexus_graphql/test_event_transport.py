"""What publishing a hub event costs the write that caused it when the channel layer is sick.

A silent Redis accepts the connection and never answers (paused, half-open network). The
write is committed before the event is sent, so it stands whatever the layer does; the
request pays at most about GRAPHQL_WS_PUBLISH_TIMEOUT_SECONDS once, after which the
server's breaker drops events at once for its open period. Logged as one outage line.
"""

import logging
import time

import pytest
from channels.layers import channel_layers

from hub.models import Solution
from hub.services import solutions
from nexus_graphql import events as transport
from nexus_graphql.outages import Outage
from tests.factories import ChallengeFactory, ContributorFactory

pytestmark = pytest.mark.django_db
WRITES = 20


@pytest.fixture
def silent_redis(silent_port):
    """redis:// URL of a socket that accepts connections and never says a word."""
    return f"redis://127.0.0.1:{silent_port}/0"


@pytest.fixture
def layer_at(settings, monkeypatch):
    def use(url: str):
        settings.CHANNEL_REDIS_URL = url
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [{"address": url, "socket_timeout": 30}]},
            }
        }
        channel_layers.backends.clear()
        # A fresh outage record, so this test's lines are its own.
        monkeypatch.setattr(transport, "_outage", Outage(transport.logger, "events", level=20))

    yield use
    channel_layers.backends.clear()


def test_a_silent_layer_costs_the_writes_one_bounded_wait_and_they_all_stand(
    silent_redis, layer_at, settings, django_capture_on_commit_callbacks, caplog, figure
):
    layer_at(silent_redis)
    challenge = ChallengeFactory()
    solver = ContributorFactory()
    took = []
    with caplog.at_level(logging.INFO, logger="nexus.events"):
        for number in range(WRITES):
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                solutions.submit_solution(
                    viewer=solver.user, challenge_id=challenge.pk, body=f"Answer {number}."
                )
            took.append(time.monotonic() - started)

    bound = settings.GRAPHQL_WS_PUBLISH_TIMEOUT_SECONDS
    figure(
        f"events over a silent channel layer: {WRITES} writes, first {took[0] * 1000:.0f} ms, "
        "slowest of the rest "
        f"{max(took[1:]) * 1000:.0f} ms, total {sum(took) * 1000:.0f} ms (bound {bound} s)",
    )
    assert Solution.objects.filter(challenge=challenge).count() == WRITES
    assert took[0] < bound + 0.5
    assert max(took[1:]) < 0.25  # the breaker is open: no wait at all
    assert sum(took) < bound + 2.0
    lines = [r for r in caplog.records if r.name == "nexus.events"]
    assert len(lines) == 1 and "unavailable" in lines[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)
