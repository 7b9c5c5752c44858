"""Subscriptions over WebSocket (graphql-transport-ws), in process, through the ASGI app.

Each test drives the real consumer with channels' WebsocketCommunicator on the in-memory
channel layer; the database is the test's (database_sync_to_async runs in its thread).
"""

import asyncio
import contextlib
import contextvars
import copy
import itertools
import uuid
from datetime import timedelta

import jwt as pyjwt
import pytest
import redis
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import TestCase
from django.utils import timezone
from graphql_jwt import utils as jwt_utils
from graphql_relay import to_global_id

from hub import kinds
from hub.models import ContentStatus
from hub.services import comments, learnings, moderation, solutions
from nexus_graphql import subscriptions
from nexus_graphql.asgi import application
from schema.accounts.tokens import issue_tokens
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ResourceFactory,
    SolutionFactory,
)

pytestmark = pytest.mark.django_db
PROTOCOL = "graphql-transport-ws"
WAIT = 5  # seconds any single step may take before the test fails

SOLUTION_ADDED = """subscription ($id: ID!) {
  solutionAdded(challengeId: $id) { id body author { displayName } }
}"""
COMMENT_ADDED = "subscription ($id: ID!) { commentAdded(targetId: $id) { id body } }"


@pytest.fixture(autouse=True)
def keep_the_test_transaction(monkeypatch):
    """channels closes "old" connections around each database call; inside the test's
    transaction (autocommit off) that would close the test's own PostgreSQL connection."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture(autouse=True)
def fresh_channel_layer(settings):
    """Each test its own channel layer: a layer's queues and connections belong to the
    event loop that first used them, and each test runs its body on a new loop (a shared
    layer left a later test's receive waiting forever). On Redis, its own key prefix."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    config = layers["default"].get("CONFIG")
    if config is not None:
        config["prefix"] = f"{config.get('prefix', 'asgi')}-{uuid.uuid4().hex[:8]}"
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def fresh_connection_counts():
    subscriptions._connections.clear()
    yield
    subscriptions._connections.clear()


BODY_BOUND = 60  # seconds a whole test body may take
_sockets: contextvars.ContextVar[list] = contextvars.ContextVar("sockets")


def run(test):
    """Run an async test body on one loop, its database calls in this (the test's) thread.

    Bounded, and every socket it opened is disconnected before the loop ends, so each
    consumer stops its subscriptions while the loop still runs: a subscription task left
    in a database call when the loop closes waits for this thread, which waits for the
    loop (the stall that kept this file out of main)."""

    async def bounded():
        sockets = []
        _sockets.set(sockets)
        try:
            await asyncio.wait_for(test(), timeout=BODY_BOUND)
        finally:
            for socket in sockets:
                with contextlib.suppress(Exception):
                    await socket.disconnect(timeout=WAIT)

    async_to_sync(bounded)()


def communicator(subprotocols) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, "/graphql/", subprotocols=list(subprotocols))
    _sockets.get().append(socket)
    return socket


def token_of(contributor) -> str:
    return issue_tokens(contributor.user)[0]


async def opened(subprotocols=(PROTOCOL,)):
    socket = communicator(subprotocols)
    connected, subprotocol = await socket.connect(timeout=WAIT)
    assert connected and subprotocol == PROTOCOL
    return socket


async def acked(token: str | None = None):
    socket = await opened()
    payload = {"authorization": f"JWT {token}"} if token else {}
    await socket.send_json_to({"type": "connection_init", "payload": payload})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "connection_ack"}
    return socket


async def close_code(socket) -> int:
    output = await socket.receive_output(timeout=WAIT)
    assert output["type"] == "websocket.close", output
    return output.get("code")


async def subscribe(socket, operation_id: str, query: str, variables=None):
    payload = {"query": query, "variables": variables or {}}
    await socket.send_json_to({"id": operation_id, "type": "subscribe", "payload": payload})


async def group_keys() -> list:
    """The layer's group memberships (in-process: its groups; Redis: its group keys)."""
    layer = get_channel_layer()
    if hasattr(layer, "groups"):
        return list(layer.groups)
    server = redis.Redis.from_url(django_settings.CHANNEL_REDIS_URL)
    return list(server.scan_iter(f"{layer.prefix}:group:*"))


async def joined():
    """Wait until the subscription has joined its group (graphql-ws has no message saying
    so): the socket's subscribe runs in a task of its own."""
    for _ in range(int(WAIT / 0.01)):
        if await group_keys():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the subscription never joined its group")


async def settle(socket):
    """A ping answered: every earlier message of this socket has been handled."""
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}


def decided(moderator, target, action: str, reason: str | None = None):
    """A moderator's decision on `target`, committed (its events sent)."""
    return committed(
        lambda: moderation.moderate_content(
            viewer=moderator.user,
            model=type(target),
            object_id=target.pk,
            action=action,
            reason=reason,
        )
    )


def committed(call):
    """Run a service call in the test's thread with its on-commit hooks (the events) run."""

    def inner():
        with TestCase.captureOnCommitCallbacks(execute=True):
            return call()

    return database_sync_to_async(inner)()


# --- protocol --------------------------------------------------------------------------


def test_a_handshake_without_the_subprotocol_is_refused():
    async def body():
        socket = communicator(["graphql-ws"])
        connected, _ = await socket.connect(timeout=WAIT)
        assert not connected

    run(body)


def test_ping_pong_and_ack():
    async def body():
        socket = await acked()
        await settle(socket)
        await socket.disconnect()

    run(body)


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[]",
        '{"payload": {}}',
        '{"type": 3}',
        '{"type": "unknown"}',
        '{"type": "connection_init", "payload": "text"}',
        '{"type": "connection_init", "payload": {"authorization": 3}}',
    ],
)
def test_a_message_that_is_not_the_protocol_closes_4400(message):
    async def body():
        socket = await opened()
        await socket.send_to(text_data=message)
        assert await close_code(socket) == 4400

    run(body)


def test_a_binary_message_closes_4400():
    async def body():
        socket = await opened()
        await socket.send_to(bytes_data=b"\x00")
        assert await close_code(socket) == 4400

    run(body)


@pytest.mark.parametrize(
    "payload",
    [None, {}, {"query": 3}, {"query": "subscription { x }", "variables": []}],
)
def test_a_malformed_subscribe_closes_4400(payload):
    async def body():
        socket = await acked()
        await socket.send_json_to({"id": "1", "type": "subscribe", "payload": payload})
        assert await close_code(socket) == 4400

    run(body)


def test_subscribe_before_ack_closes_4401():
    async def body():
        socket = await opened()
        await subscribe(socket, "1", COMMENT_ADDED, {"id": "x"})
        assert await close_code(socket) == 4401

    run(body)


def test_no_connection_init_in_time_closes_4408(settings):
    settings.GRAPHQL_WS_INIT_TIMEOUT_SECONDS = 0.2

    async def body():
        socket = await opened()
        assert await close_code(socket) == 4408

    run(body)


def test_a_second_connection_init_closes_4429():
    async def body():
        socket = await acked()
        await socket.send_json_to({"type": "connection_init"})
        assert await close_code(socket) == 4429

    run(body)


def test_a_running_id_subscribed_again_closes_4409():
    challenge = ChallengeFactory()
    variables = {"id": to_global_id("Challenge", challenge.pk)}

    async def body():
        socket = await acked()
        await subscribe(socket, "same", SOLUTION_ADDED, variables)
        await subscribe(socket, "same", SOLUTION_ADDED, variables)
        assert await close_code(socket) == 4409

    run(body)


# --- authentication --------------------------------------------------------------------


def _expired_token(user) -> str:
    payload = jwt_utils.jwt_payload(user)
    payload["exp"] = int((timezone.now() - timedelta(minutes=1)).timestamp())
    return jwt_utils.jwt_encode(payload)


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda c: _expired_token(c.user), id="expired"),
        pytest.param(lambda c: token_of(c)[:-3] + "abc", id="forged"),
        pytest.param(lambda c: "not.a.token", id="garbled"),
        pytest.param(lambda c: _disabled(c), id="disabled user"),
        pytest.param(lambda c: issue_tokens(c.user)[1], id="refresh token"),
        pytest.param(lambda c: _signed_elsewhere(c.user), id="another key"),
    ],
)
def test_a_bad_token_closes_4403(make_token):
    token = make_token(ContributorFactory())

    async def body():
        socket = await opened()
        await socket.send_json_to(
            {"type": "connection_init", "payload": {"authorization": f"JWT {token}"}}
        )
        assert await close_code(socket) == 4403

    run(body)


def _signed_elsewhere(user) -> str:
    """A well-formed, unexpired token signed with a key that is not this server's."""
    return pyjwt.encode(
        jwt_utils.jwt_payload(user),
        "a key that is not this server's, 32 bytes or more",
        algorithm="HS256",
    )


def _disabled(contributor) -> str:
    token = token_of(contributor)
    contributor.user.is_active = False
    contributor.user.save()
    return token


def test_an_authorization_that_is_not_jwt_or_bearer_closes_4403():
    async def body():
        socket = await opened()
        await socket.send_json_to(
            {"type": "connection_init", "payload": {"authorization": "Basic abc"}}
        )
        assert await close_code(socket) == 4403

    run(body)


# --- events, end to end ----------------------------------------------------------------


def test_a_new_solution_arrives_then_complete_stops_it():
    challenge = ChallengeFactory()
    author = ContributorFactory(display_name="Ada")
    variables = {"id": to_global_id("Challenge", challenge.pk)}

    async def body():
        socket = await acked()
        await subscribe(socket, "s1", SOLUTION_ADDED, variables)
        await joined()
        solution = await committed(
            lambda: solutions.submit_solution(
                viewer=author.user, challenge_id=challenge.pk, body="Restart it."
            )
        )
        message = await socket.receive_json_from(timeout=WAIT)
        assert message == {
            "id": "s1",
            "type": "next",
            "payload": {
                "data": {
                    "solutionAdded": {
                        "id": to_global_id("Solution", solution.pk),
                        "body": "Restart it.",
                        "author": {"displayName": "Ada"},
                    }
                }
            },
        }
        await socket.send_json_to({"id": "s1", "type": "complete"})
        await settle(socket)
        await committed(
            lambda: solutions.submit_solution(
                viewer=author.user, challenge_id=challenge.pk, body="Another."
            )
        )
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(body)


def test_memberships_the_layer_lost_come_back_within_a_refresh_period(settings):
    """Redis restarted empty (or flushed): the socket stays open; without the refresh it
    would never receive again. First a publish while the membership is gone (nothing
    arrives: it was really lost), then one after a refresh period (it arrives)."""
    settings.GRAPHQL_WS_GROUP_REFRESH_SECONDS = 0.2
    challenge = ChallengeFactory()
    author = ContributorFactory()
    variables = {"id": to_global_id("Challenge", challenge.pk)}

    def answer(body):
        return committed(
            lambda: solutions.submit_solution(
                viewer=author.user, challenge_id=challenge.pk, body=body
            )
        )

    async def forget_memberships():
        layer = get_channel_layer()
        if hasattr(layer, "groups"):  # in-process: its groups only (its channels stay)
            layer.groups.clear()
        else:  # Redis: the group keys, as a restart empty would
            redis.Redis.from_url(django_settings.CHANNEL_REDIS_URL).delete(*await group_keys())
        assert await group_keys() == []

    async def body():
        socket = await acked()
        await subscribe(socket, "s", SOLUTION_ADDED, variables)
        await joined()
        await forget_memberships()
        await answer("Lost.")
        assert await socket.receive_nothing(timeout=0.1)
        await asyncio.sleep(0.5)  # more than one refresh period
        await answer("Found again.")
        message = await socket.receive_json_from(timeout=WAIT)
        assert message["payload"]["data"]["solutionAdded"]["body"] == "Found again."

    run(body)


def test_a_rolled_back_write_pushes_nothing():
    challenge = ChallengeFactory()
    author = ContributorFactory()
    variables = {"id": to_global_id("Challenge", challenge.pk)}

    def rolled_back():
        from django.db import transaction

        try:
            with transaction.atomic():
                solutions.submit_solution(
                    viewer=author.user, challenge_id=challenge.pk, body="Never."
                )
                raise RuntimeError
        except RuntimeError:
            pass

    async def body():
        socket = await acked()
        await subscribe(socket, "s1", SOLUTION_ADDED, variables)
        await joined()
        await committed(rolled_back)
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(body)


# --- visibility: every viewer x every state of the pushed content ----------------------

VIEWERS = ("anonymous", "author", "other", "moderator")


def _visible(viewer: str, status: str, container_status: str) -> bool:
    """The query rules, stated independently: moderators see all; others see published
    content or their own, inside a container they see ("author" wrote both the solution
    and the comment)."""
    if viewer in ("moderator", "author"):
        return True
    return status == ContentStatus.PUBLISHED and container_status == ContentStatus.PUBLISHED


CASES = list(
    itertools.product(
        VIEWERS, ContentStatus.values, [ContentStatus.PUBLISHED, ContentStatus.HIDDEN]
    )
)


@pytest.mark.parametrize("viewer,status,solution_status", CASES)
def test_a_comment_is_pushed_exactly_to_who_may_see_it(viewer, status, solution_status):
    """A comment on a solution: pushed iff the viewer may see it by query. The
    subscription starts while the solution is published; then the solution takes its
    state and the comment is written (by its author, who may always comment)."""
    solution = SolutionFactory()
    author = solution.author
    people = {
        "anonymous": None,
        "author": author,
        "other": ContributorFactory(),
        "moderator": ContributorFactory(user__is_staff=True),
    }
    token = token_of(people[viewer]) if people[viewer] else None
    variables = {"id": to_global_id("Solution", solution.pk)}

    def write():
        comment = comments.add_comment(
            viewer=author.user, target_model=type(solution), target_id=solution.pk, body="Hi."
        )
        comment.status = status
        comment.save()
        type(solution).objects.filter(pk=solution.pk).update(status=solution_status)
        return comment

    async def body():
        socket = await acked(token)
        await subscribe(socket, "c", COMMENT_ADDED, variables)
        await joined()
        await committed(write)
        if _visible(viewer, status, solution_status):
            message = await socket.receive_json_from(timeout=WAIT)
            assert message["type"] == "next" and message["payload"]["data"]["commentAdded"]
        else:
            assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(body)


def test_a_hidden_challenge_cannot_be_followed():
    challenge = ChallengeFactory(status=ContentStatus.HIDDEN)
    variables = {"id": to_global_id("Challenge", challenge.pk)}

    async def body():
        socket = await acked()
        await subscribe(socket, "s", SOLUTION_ADDED, variables)
        message = await socket.receive_json_from(timeout=WAIT)
        assert message["type"] == "error" and message["id"] == "s"
        assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"
        await socket.disconnect()

    run(body)


LEARNING_ADDED = "subscription { learningAdded { id title status } }"
MODERATION_DECIDED = """subscription { moderationDecided {
  action status previousStatus reason content { id ... on Learning { title } }
} }"""


def people_by_role(author):
    return {
        "anonymous": None,
        "author": author,
        "other": ContributorFactory(),
        "moderator": ContributorFactory(user__is_staff=True),
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_pending_learning_reaches_only_its_author_and_moderators(viewer):
    """Submitted, it is PENDING: only its author and moderators receive it; published by a
    moderator, everyone receives it (PUBLISHED)."""
    author = ContributorFactory()
    people = people_by_role(author)
    moderator = ContributorFactory(user__is_staff=True)
    token = token_of(people[viewer]) if people[viewer] else None
    sees_pending = viewer in ("author", "moderator")

    async def body():
        socket = await acked(token)
        await subscribe(socket, "l", LEARNING_ADDED)
        await joined()
        learning = await committed(
            lambda: learnings.submit_learning(
                viewer=author.user,
                title="Keyset paging",
                kind="CONCEPT",
                summary="",
                body="Order by a key, then page from the last one.",
                technologies=[],
            )
        )
        learning_id = to_global_id("Learning", learning.pk)
        if sees_pending:
            message = await socket.receive_json_from(timeout=WAIT)
            assert message["payload"]["data"]["learningAdded"] == {
                "id": learning_id,
                "title": "Keyset paging",
                "status": "PENDING",
            }
        else:
            assert await socket.receive_nothing(timeout=0.3)
        await decided(moderator, learning, "PUBLISH")
        message = await socket.receive_json_from(timeout=WAIT)
        assert message["payload"]["data"]["learningAdded"]["status"] == "PUBLISHED"
        await socket.disconnect()

    run(body)


@pytest.mark.parametrize("viewer", ["author", "other", "moderator"])
def test_a_moderation_decision_reaches_the_contents_author_only(viewer):
    author = ContributorFactory()
    people = people_by_role(author)
    moderator = ContributorFactory(user__is_staff=True)
    learning = LearningFactory(author=author, status=ContentStatus.PENDING, title="Caching")
    token = token_of(people[viewer])

    async def body():
        socket = await acked(token)
        await subscribe(socket, "m", MODERATION_DECIDED)
        await joined()
        await decided(moderator, learning, "REJECT", "Cite your sources.")
        if viewer == "author":
            message = await socket.receive_json_from(timeout=WAIT)
            assert message["payload"] == {
                "data": {
                    "moderationDecided": {
                        "action": "REJECT",
                        "status": "REJECTED",
                        "previousStatus": "PENDING",
                        "reason": "Cite your sources.",
                        "content": {
                            "id": to_global_id("Learning", learning.pk),
                            "title": "Caching",
                        },
                    }
                }
            }
        else:
            assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(body)


def _authored(type_name: str, author):
    """One published object of a moderated kind, by `author` (a new kind needs a line)."""
    from hub.models import Comment

    builders = {
        "Challenge": lambda: ChallengeFactory(author=author),
        "Solution": lambda: SolutionFactory(author=author),
        "Learning": lambda: LearningFactory(author=author, status=ContentStatus.PUBLISHED),
        "Resource": lambda: ResourceFactory(author=author, status=ContentStatus.PUBLISHED),
        "Comment": lambda: Comment.objects.create(
            author=author, challenge=ChallengeFactory(), body="A remark."
        ),
    }
    assert type_name in builders, f"no builder for the moderated kind {type_name}"
    return builders[type_name]()


@pytest.mark.parametrize("type_name", sorted(kinds.moderated()))
def test_a_decision_reaches_the_author_for_every_moderated_kind(type_name):
    author = ContributorFactory()
    moderator = ContributorFactory(user__is_staff=True)
    target = _authored(type_name, author)
    token = token_of(author)

    async def body():
        socket = await acked(token)
        await subscribe(
            socket,
            "m",
            "subscription { moderationDecided { action status content { __typename id } } }",
        )
        await joined()
        await decided(moderator, target, "HIDE", "Needs a source.")
        message = await socket.receive_json_from(timeout=WAIT)
        assert message["payload"]["data"]["moderationDecided"] == {
            "action": "HIDE",
            "status": "HIDDEN",
            "content": {"__typename": type_name, "id": to_global_id(type_name, target.pk)},
        }

    run(body)


def test_a_decision_on_content_its_author_can_no_longer_see_is_not_pushed():
    """The author's solution on a challenge that is hidden: hidden with it, for its author
    too; a decision on it is not pushed."""
    solution = SolutionFactory(challenge=ChallengeFactory(status=ContentStatus.HIDDEN))
    moderator = ContributorFactory(user__is_staff=True)
    token = token_of(solution.author)

    async def body():
        socket = await acked(token)
        await subscribe(socket, "m", MODERATION_DECIDED)
        await joined()
        await decided(moderator, solution, "HIDE", "Off topic.")
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(body)


def test_moderation_decisions_need_a_signed_in_viewer():
    async def body():
        socket = await acked()
        await subscribe(socket, "m", MODERATION_DECIDED)
        message = await socket.receive_json_from(timeout=WAIT)
        assert message["type"] == "error" and message["id"] == "m"
        assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await socket.disconnect()

    run(body)


# --- every root field, by introspection: ids that name nothing visible -----------------


def _subscription_fields():
    from schema.schema import schema

    fields = schema.graphql_schema.subscription_type.fields
    return sorted(
        (name, [a for a, arg in field.args.items() if "ID" in str(arg.type)])
        for name, field in fields.items()
    )


def _bad_ids():
    hidden = ChallengeFactory(status=ContentStatus.HIDDEN)
    return {
        "empty": "",
        "garbled": "%%%not base64",
        "not a number": to_global_id("Challenge", "x"),
        "zero": to_global_id("Challenge", 0),
        "unknown": to_global_id("Challenge", 10**9),
        "another type": to_global_id("Technology", 1),
        "hidden": to_global_id("Challenge", hidden.pk),
        "huge": to_global_id("Challenge", 10**30),
    }


@pytest.mark.parametrize("field,id_args", _subscription_fields())
def test_every_subscription_refuses_ids_that_name_nothing_it_may_follow(field, id_args):
    """Walked from the served schema, so a new subscription field is covered. Each bad id
    is NOT_FOUND on that argument and the socket stays open; a field without ids answers
    an anonymous viewer with nothing (it waits for events) or UNAUTHENTICATED."""
    bad = _bad_ids()

    async def body():
        socket = await acked()
        if not id_args:
            await subscribe(socket, "bare", f"subscription {{ {field} {{ __typename }} }}")
            answer = await socket.receive_nothing(timeout=0.3) or (
                await socket.receive_json_from(timeout=WAIT)
            )
            if answer is not True:
                assert answer["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            await settle(socket)
            return
        for case, value in bad.items():
            arguments = ", ".join(f"{name}: $id" for name in id_args)
            query = f"subscription ($id: ID!) {{ {field}({arguments}) {{ __typename }} }}"
            await subscribe(socket, case, query, {"id": value})
            message = await socket.receive_json_from(timeout=WAIT)
            assert message["type"] == "error" and message["id"] == case, (case, message)
            assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND", (case, message)
        await settle(socket)  # still open

    run(body)


# --- the HTTP rules: validation, limits, operation kinds; caps -------------------------


@pytest.mark.parametrize(
    "query,code",
    [
        ("subscription { nope }", "GRAPHQL_VALIDATION_FAILED"),
        ("subscription {", "GRAPHQL_VALIDATION_FAILED"),
        ("{ __typename }", "BAD_REQUEST"),
        ("mutation { __typename }", "BAD_REQUEST"),
        ("subscription ($id: ID!) { commentAdded(targetId: $id) { id } }", None),
        (
            'subscription { commentAdded(targetId: "x") { '
            + "parent { " * 12
            + "id"
            + " }" * 12
            + " } }",
            "QUERY_TOO_DEEP",
        ),
        (  # 100 x 100 x 100 possible nodes, over the cost limit (500,000)
            'subscription { commentAdded(targetId: "x") { replies(first: 100) { edges { node '
            "{ replies(first: 100) { edges { node { replies(first: 100) { edges { node { id } } "
            "} } } } } } } } }",
            "QUERY_TOO_COMPLEX",
        ),
    ],
)
def test_an_operation_the_http_endpoint_refuses_is_an_error(query, code):
    async def body():
        socket = await acked()
        await socket.send_json_to({"id": "q", "type": "subscribe", "payload": {"query": query}})
        message = await socket.receive_json_from(timeout=WAIT)
        assert message["type"] == "error" and message["id"] == "q"
        if code is not None:
            assert message["payload"][0]["extensions"]["code"] == code
        else:  # the variable $id is missing: coercion fails, as over HTTP
            assert "$id" in message["payload"][0]["message"]
        await settle(socket)  # the socket stays open
        await socket.disconnect()

    run(body)


def test_subscriptions_per_connection_are_capped(settings):
    settings.GRAPHQL_WS_MAX_SUBSCRIPTIONS = 2
    challenge = ChallengeFactory()
    variables = {"id": to_global_id("Challenge", challenge.pk)}

    async def body():
        socket = await acked()
        for operation_id in ("1", "2", "3"):
            await subscribe(socket, operation_id, SOLUTION_ADDED, variables)
        message = await socket.receive_json_from(timeout=WAIT)
        assert message["id"] == "3" and message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        await socket.send_json_to({"id": "1", "type": "complete"})
        await settle(socket)
        await subscribe(socket, "4", SOLUTION_ADDED, variables)  # room again
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    run(body)


def test_connections_per_address_are_capped(settings):
    settings.GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS = 2

    async def body():
        first, second = await opened(), await opened()
        third = await opened()
        assert await close_code(third) == 4013
        await first.disconnect()
        fourth = await opened()  # a slot is free again
        await fourth.send_json_to({"type": "connection_init"})
        assert await fourth.receive_json_from(timeout=WAIT) == {"type": "connection_ack"}
        await second.disconnect()
        await fourth.disconnect()

    run(body)
