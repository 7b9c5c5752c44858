"""Live subscriptions while the channel layer's Redis pauses and restarts empty.

A real daphne (the ws pods' server) and a real gunicorn (the API) share a PostgreSQL
database and the machine's Redis as channel layer. A graphql-ws subscriber follows a
challenge; answers are posted through gunicorn. What must hold:
- a write never waits on the layer for long: during a pause each answer is stored and
  acknowledged within PUBLISH_BOUND (the publish gives up, the breaker then skips it);
- the subscriber is never left deaf: after the pause ends, and after Redis comes back
  empty (every group membership lost), a new answer reaches either the same socket or,
  if the server closed it (with a close frame, so graphql-ws reconnects), a new socket,
  within RECOVERY seconds.
The figures go to the test's output.
"""

import contextlib
import json
import queue
import threading
import time

import pytest
import websocket

from tests.fault.harness import (
    REDIS_PORT,
    call,
    fault_test,
    fresh_database,
    redis_cli,
    redis_restart_plain,
    restore_services,
    running_daphne,
    running_server,
)

pytestmark = fault_test

CHANNEL_DB = 12
PAUSE_MS = 3_000
PUBLISH_BOUND = 1.5  # seconds an answer may take while the layer does not answer
RECOVERY = 8.0  # seconds until a subscriber hears answers again
REFRESH = "1"  # GRAPHQL_WS_GROUP_REFRESH_SECONDS for the servers
SUBSCRIPTION = "subscription ($id: ID!) { solutionAdded(challengeId: $id) { body } }"
ANSWER = """mutation ($input: SubmitSolutionInput!) {
  submitSolution(input: $input) { solution { id } errors { code message } }
}"""


class Subscriber:
    """One graphql-ws socket following a challenge; a thread files what it receives."""

    def __init__(self, url: str, challenge_id: str):
        self.events: queue.Queue = queue.Queue()
        self.closed: str | None = None
        self.socket = websocket.create_connection(
            url, subprotocols=["graphql-transport-ws"], timeout=10
        )
        self.socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(self.socket.recv())["type"] == "connection_ack"
        payload = {"query": SUBSCRIPTION, "variables": {"id": challenge_id}}
        self.socket.send(json.dumps({"id": "s", "type": "subscribe", "payload": payload}))
        self.socket.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                opcode, data = self.socket.recv_data(control_frame=False)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                    self.closed = f"close frame {code}"
                    return
                message = json.loads(data)
                if message.get("type") == "next":
                    self.events.put(message["payload"]["data"]["solutionAdded"]["body"])
                elif message.get("type") in ("error", "complete"):
                    self.closed = f"{message['type']}: {message.get('payload')}"
                    return
        except (websocket.WebSocketException, OSError) as error:
            self.closed = self.closed or f"dropped without a close frame ({error!r})"

    def heard(self, body: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if self.events.get(timeout=0.1) == body:
                    return True
            except queue.Empty:
                if self.closed:
                    return False
        return False

    def close(self):
        with contextlib.suppress(websocket.WebSocketException, OSError):
            self.socket.close()


@pytest.fixture
def servers(tmp_path):
    env = {
        "CHANNEL_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/{CHANNEL_DB}",
        "GRAPHQL_WS_GROUP_REFRESH_SECONDS": REFRESH,
        "REDIS_BREAKER_OPEN_SECONDS": "1",
    }
    try:
        with (
            fresh_database("nexus_ws_fault") as database,
            running_server(database, tmp_path / "gunicorn.log", **env) as api,
            running_daphne(database, tmp_path / "daphne.log", **env) as ws_url,
        ):
            yield api, ws_url, tmp_path
    finally:
        restore_services()


def test_subscribers_hear_again_after_the_layer_pauses_and_restarts_empty(servers):
    api, ws_url, logs = servers
    created = call(
        api.url,
        "mutation ($input: SubmitChallengeInput!) "
        "{ submitChallenge(input: $input) { challenge { id } errors { message } } }",
        {"input": {"title": "Live", "description": "Follow me.", "project": "fault"}},
        token=api.token,
    )
    challenge_id = created.payload["data"]["submitChallenge"]["challenge"]["id"]
    numbers = iter(range(1_000))

    def answer() -> tuple[str, float]:
        body = f"Answer {next(numbers)}."
        reply = call(
            api.url, ANSWER, {"input": {"challengeId": challenge_id, "body": body}}, api.token
        )
        assert reply.status == 200 and reply.payload["data"]["submitSolution"]["errors"] == []
        return body, reply.seconds

    def heard_again(subscriber: Subscriber) -> tuple[Subscriber, float, str]:
        """Answers until the subscriber hears one; a closed socket is replaced by a new
        one (what graphql-ws does on a close frame). Fails if it stays open and deaf."""
        started = time.monotonic()
        how = "same socket"
        while time.monotonic() - started < RECOVERY:
            if subscriber.closed:
                # A close frame graphql-ws reconnects on (4503), not a dropped socket.
                assert subscriber.closed == "close frame 4503", subscriber.closed
                subscriber.close()
                subscriber, how = (
                    Subscriber(ws_url, challenge_id),
                    f"new socket after {subscriber.closed}",
                )
            body, _ = answer()
            if subscriber.heard(body, 1.0):
                return subscriber, time.monotonic() - started, how
        raise AssertionError(
            f"deaf for {RECOVERY} s ({how}); daphne log:\n"
            + (logs / "daphne.log").read_text()[-3000:]
        )

    subscriber = Subscriber(ws_url, challenge_id)
    subscriber, took, how = heard_again(subscriber)
    print(f"\nbaseline: heard in {took * 1000:.0f} ms ({how})")

    # 1. The layer's Redis does not answer anyone for PAUSE_MS.
    redis_cli("client", "pause", str(PAUSE_MS), "ALL")
    paused_at = time.monotonic()
    during = []
    while time.monotonic() - paused_at < PAUSE_MS / 1000 - 0.5:
        during.append(answer()[1])
    assert during and max(during) < PUBLISH_BOUND, during
    time.sleep(max(0.0, PAUSE_MS / 1000 - (time.monotonic() - paused_at)))
    subscriber, took, how = heard_again(subscriber)
    print(
        f"paused {PAUSE_MS} ms: {len(during)} answers, slowest {max(during) * 1000:.0f} ms "
        f"(bound {PUBLISH_BOUND} s); heard again {took * 1000:.0f} ms after ({how})"
    )

    # 2. Redis comes back empty: every group membership is gone.
    redis_restart_plain()
    subscriber, took, how = heard_again(subscriber)
    print(f"restarted empty: heard again {took * 1000:.0f} ms after ({how})")
    subscriber.close()

    solutions = call(
        api.url,
        "query ($id: ID!) { node(id: $id) { ... on Challenge { solutionCount } } }",
        {"id": challenge_id},
    ).payload["data"]["node"]["solutionCount"]
    assert solutions == next(numbers)  # every acknowledged answer is stored
    daphne_log = (logs / "daphne.log").read_text()
    assert "Traceback" not in daphne_log, daphne_log[-3000:]
    warnings = [line for line in daphne_log.splitlines() if " WARNING " in line]
    print(f"daphne: {len(warnings)} warning lines, no traceback")
    assert len(warnings) <= 6, warnings
