"""GraphQL subscriptions over WebSocket, in the graphql-transport-ws protocol (npm graphql-ws).

On /graphql/ beside the HTTP endpoint (nexus_graphql.asgi). The socket carries only
subscription operations: queries and mutations are refused there with an error and go
over HTTP, where rate limits, caching and persisted queries live.

Protocol, as graphql-ws's server: the handshake must offer `graphql-transport-ws`
(else it is refused); `connection_init` within GRAPHQL_WS_INIT_TIMEOUT_SECONDS (else
close 4408), once (a second: 4429); its payload's `authorization` ("JWT <token>") is read
by the same code as the HTTP header, and a bad, expired, revoked or forged token closes
with 4403; `subscribe` before the ack closes with 4401, an id already running with 4409,
anything not a protocol message with 4400. `ping` is answered `pong`; `complete` from the
client stops that subscription, from the server it ends one.

A subscription passes the same steps as an HTTP operation before it runs: the document
cache (token limit, structural limits, the same validation rules), trusted documents when
on, variable coercion, the cost limit. Caps: GRAPHQL_WS_MAX_SUBSCRIPTIONS per socket (an
`error` for the one over it) and GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS sockets per client
address in this process (close 4013, try again later).

Each event is the id of what changed (hub.events); the subscription's resolver re-reads
it as the socket's viewer through the hub selectors and pushes only what that viewer may
see; the selection is then executed like a query, in a thread, with the HTTP budget.
"""

import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from graphql import ExecutionResult, GraphQLError, OperationType, get_operation_ast
from graphql.execution import create_source_event_stream
from graphql.execution.values import get_variable_values
from redis.exceptions import RedisError

from nexus_graphql import persisted
from nexus_graphql.authentication import token_from_header
from nexus_graphql.documents import documents, query_limits
from nexus_graphql.events import group_of
from nexus_graphql.execution import (
    Budget,
    ExecutionAborted,
    execute_charged,
    operation_budget,
)
from nexus_graphql.limits import QueryLimitExceeded, check_operation
from nexus_graphql.outages import Outage
from nexus_graphql.views import format_error
from schema.accounts.tokens import InvalidToken, user_from_token

logger = logging.getLogger("nexus.subscriptions")

PROTOCOL = "graphql-transport-ws"
BAD_MESSAGE, UNAUTHORIZED, FORBIDDEN = 4400, 4401, 4403
INIT_TIMEOUT, DUPLICATE_ID, TOO_MANY_INITS = 4408, 4409, 4429
# Server close codes must be 1000 or 3000-4999 (daphne refuses RFC 6455's 1011-1014), and
# graphql-ws reconnects on these two, unlike on its own 44xx codes.
TRY_AGAIN_LATER = 4013  # at a limit for this client (1013's meaning)
# Events waiting for one subscription; beyond it, the slow subscription misses events.
QUEUE_SIZE = 100

_receive_outage = Outage(logger, "subscription events (channel layer receive)")
_membership_outage = Outage(logger, "subscription groups (channel layer)", level=logging.INFO)
_connections = Counter()  # open sockets per client address, in this process
# One event's answer per (viewer, operation): many sockets of one viewer following one
# topic (tabs, a crowd of anonymous readers) cost one execution, not one each.
_answers: dict = {}
ANSWERS_KEPT = 1_000


class LayerUnavailable(Exception):
    """The channel layer did not answer in time, or failed (Redis down or restarted)."""


# What says the layer's Redis is not there (a timeout is an OSError).
LAYER_FAILURES = (RedisError, OSError)
# The event service failed: reconnect (and query what was missed meanwhile).
SERVICE_UNAVAILABLE = 4503


@dataclass
class SubscriptionContext:
    """What resolvers find in info.context: the viewer and the socket's event streams."""

    user: object
    consumer: "GraphQLWebSocketConsumer"
    graphql_budget: Budget | None = None
    META: dict = field(default_factory=dict)
    COOKIES: dict = field(default_factory=dict)

    def events(self, topic: str):
        return self.consumer.events(topic)


class GraphQLWebSocketConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.viewer = AnonymousUser()
        self.init_received = self.acked = False
        self.operations: dict[str, asyncio.Task] = {}
        self.topics: dict[str, set[asyncio.Queue]] = {}
        self.address = (self.scope.get("client") or ("unknown",))[0]
        self.counted = False
        self.init_timer = self.refresher = None
        if PROTOCOL not in self.scope.get("subprotocols", ()):
            await self.close()  # the handshake is refused (HTTP 403)
            return
        await self.accept(PROTOCOL)
        if _connections[self.address] >= settings.GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS:
            await self.close(TRY_AGAIN_LATER, "Too many connections from this address")
            return
        _connections[self.address] += 1
        self.counted = True
        self.init_timer = asyncio.create_task(self._close_unless_initialised())
        self.refresher = asyncio.create_task(self._keep_memberships())

    # channels' AsyncConsumer sets `channel_receive` to the layer's receive and awaits it
    # for the socket's life; a failing layer would end the application with a traceback
    # and an abrupt close. Here it ends the socket with a close frame clients retry on.
    @property
    def channel_receive(self):
        return self._receive_or_close

    @channel_receive.setter
    def channel_receive(self, receive):
        self._layer_receive = receive

    async def _receive_or_close(self):
        try:
            message = await self._layer_receive()
        except LAYER_FAILURES as error:
            _receive_outage.failed(error)
            await self.close(SERVICE_UNAVAILABLE, "The event service is unavailable; reconnect.")
            await self.disconnect(SERVICE_UNAVAILABLE)  # channels calls it on a client's close only
            raise StopConsumer from None
        _receive_outage.succeeded()
        return message

    async def disconnect(self, code):
        if self.counted:
            self.counted = False
            _connections[self.address] -= 1
            if _connections[self.address] <= 0:
                del _connections[self.address]
        for timer in (self.init_timer, self.refresher):
            if timer is not None:
                timer.cancel()
        for task in list(self.operations.values()):
            task.cancel()
        if self.operations:
            await asyncio.gather(*self.operations.values(), return_exceptions=True)
        for topic in list(self.topics):
            await self._leave_group(topic)

    async def _keep_memberships(self):
        """Join this socket's groups again every GRAPHQL_WS_GROUP_REFRESH_SECONDS.

        The layer forgets memberships: Redis restarted empty, flushed, or a group past its
        expiry. Without this, such a socket stays open and silently receives nothing more;
        with it, events flow again within one period. Joining again is idempotent."""
        while True:
            await asyncio.sleep(settings.GRAPHQL_WS_GROUP_REFRESH_SECONDS)
            for topic in list(self.topics):
                if topic not in self.topics:
                    continue  # left while an earlier join was waiting
                try:
                    await asyncio.wait_for(
                        self.channel_layer.group_add(group_of(topic), self.channel_name),
                        timeout=settings.GRAPHQL_WS_LAYER_TIMEOUT_SECONDS,
                    )
                except Exception as error:  # the next period tries again
                    _membership_outage.failed(error)
                else:
                    _membership_outage.succeeded()

    async def _close_unless_initialised(self):
        await asyncio.sleep(settings.GRAPHQL_WS_INIT_TIMEOUT_SECONDS)
        if not self.acked:
            await self.close(INIT_TIMEOUT, "Connection initialisation timeout")

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data) if text_data is not None else None
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.close(BAD_MESSAGE, "Invalid message received")
            return
        handler = {
            "connection_init": self._connection_init,
            "ping": self._ping,
            "pong": self._pong,
            "subscribe": self._subscribe,
            "complete": self._complete,
        }.get(message["type"])
        if handler is None:
            await self.close(BAD_MESSAGE, f"Unexpected message of type {message['type']!r}")
            return
        await handler(message)

    async def _send(self, message: dict) -> None:
        await self.send(text_data=json.dumps(message))

    async def _connection_init(self, message):
        if self.init_received:
            await self.close(TOO_MANY_INITS, "Too many initialisation requests")
            return
        self.init_received = True
        payload = message.get("payload")
        if payload is None:
            payload = {}
        authorization = payload.get("authorization") if isinstance(payload, dict) else None
        if not isinstance(payload, dict) or not isinstance(authorization, str | None):
            await self.close(BAD_MESSAGE, "connection_init's payload must be an object")
            return
        try:
            token = token_from_header(authorization or "")
            if token is not None:
                self.viewer = await database_sync_to_async(user_from_token)(token)
        except InvalidToken as error:
            await self.close(FORBIDDEN, f"Forbidden: {error}"[:120])
            return
        self.acked = True
        await self._send({"type": "connection_ack"})

    async def _ping(self, message):
        await self._send({"type": "pong"})

    async def _pong(self, message):
        pass

    async def _subscribe(self, message):
        if not self.acked:
            await self.close(UNAUTHORIZED, "Unauthorized")
            return
        operation_id, payload = message.get("id"), message.get("payload")
        if (
            not isinstance(operation_id, str)
            or not operation_id
            or not isinstance(payload, dict)
            or not isinstance(payload.get("query"), str)
            or not isinstance(payload.get("variables"), dict | None)
            or not isinstance(payload.get("operationName"), str | None)
        ):
            await self.close(BAD_MESSAGE, "Invalid subscribe message")
            return
        if operation_id in self.operations:
            await self.close(DUPLICATE_ID, f"Subscriber for {operation_id} already exists"[:120])
            return
        if len(self.operations) >= settings.GRAPHQL_WS_MAX_SUBSCRIPTIONS:
            limit = settings.GRAPHQL_WS_MAX_SUBSCRIPTIONS
            await self._error(
                operation_id,
                [
                    _error(
                        f"At most {limit} subscriptions per connection.", "TOO_MANY_SUBSCRIPTIONS"
                    )
                ],
            )
            return
        self.operations[operation_id] = asyncio.create_task(
            self._run(
                operation_id,
                payload["query"],
                payload.get("variables"),
                payload.get("operationName"),
            )
        )

    async def _complete(self, message):
        task = self.operations.pop(message.get("id"), None)
        if task is not None:
            task.cancel()

    async def _error(self, operation_id: str, errors: list) -> None:
        formatted = [format_error(error) for error in errors]
        await self._send({"id": operation_id, "type": "error", "payload": formatted})

    async def _run(self, operation_id, query, variables, operation_name):
        try:
            await self._stream(operation_id, query, variables, operation_name)
        except asyncio.CancelledError:
            raise  # completed by the client or the socket closed: nothing more is sent
        except LayerUnavailable:
            await self._error(
                operation_id,
                [_error("The event service is unavailable; retry.", "SERVICE_UNAVAILABLE")],
            )
        except Exception as error:  # masked with an id, logged (format_error)
            await self._error(operation_id, [error])
        finally:
            if self.operations.get(operation_id) is asyncio.current_task():
                del self.operations[operation_id]

    async def _stream(self, operation_id, query, variables, operation_name):
        prepared = _prepare(query, variables, operation_name)
        if isinstance(prepared, list):
            await self._error(operation_id, prepared)
            return
        document, variables = prepared
        context = SubscriptionContext(user=self.viewer, consumer=self)
        stream = await create_source_event_stream(
            documents.schema,
            document.ast,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
        )
        if isinstance(stream, ExecutionResult):
            errors = stream.errors or []
            if any(isinstance(e.original_error, LayerUnavailable) for e in errors):
                raise LayerUnavailable
            await self._error(operation_id, errors)
            return
        try:
            async for source in stream:
                key = _answer_key(source, self.viewer, document, variables, operation_name)
                payload = _answers.get(key) if key else None
                if payload is None:
                    result = await database_sync_to_async(_execute_event)(
                        document, source, context, variables, operation_name
                    )
                    payload = {"data": result.data}
                    if result.errors:
                        payload["errors"] = [format_error(error) for error in result.errors]
                    elif key:
                        _answers[key] = payload
                        while len(_answers) > ANSWERS_KEPT:
                            _answers.pop(next(iter(_answers)))
                await self._send({"id": operation_id, "type": "next", "payload": payload})
        finally:
            await stream.aclose()
        await self._send({"id": operation_id, "type": "complete"})

    async def events(self, topic: str):
        """The socket's hub events on `topic`: the group is joined before this returns (a
        layer that does not answer is the subscription's error, at once), and every event
        from then on is in the stream."""
        queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        await self._join(topic, queue)
        return self._drain(topic, queue)

    async def _drain(self, topic: str, queue: asyncio.Queue):
        try:
            while True:
                yield await queue.get()
        finally:
            await self._leave(topic, queue)

    async def _join(self, topic, queue):
        if topic not in self.topics:
            self.topics[topic] = set()
            # Twice: the first try may get a pooled connection a restarted Redis closed.
            for attempt in (1, 2):
                try:
                    await asyncio.wait_for(
                        self.channel_layer.group_add(group_of(topic), self.channel_name),
                        timeout=settings.GRAPHQL_WS_LAYER_TIMEOUT_SECONDS,
                    )
                    break
                except LAYER_FAILURES as error:
                    if attempt == 2 or isinstance(error, TimeoutError):
                        del self.topics[topic]
                        raise LayerUnavailable from None
        self.topics[topic].add(queue)

    async def _leave(self, topic, queue):
        queues = self.topics.get(topic)
        if queues is None:
            return
        queues.discard(queue)
        if not queues:
            await self._leave_group(topic)

    async def _leave_group(self, topic):
        self.topics.pop(topic, None)
        try:
            await asyncio.wait_for(
                self.channel_layer.group_discard(group_of(topic), self.channel_name),
                timeout=settings.GRAPHQL_WS_LAYER_TIMEOUT_SECONDS,
            )
        except Exception as error:  # the group expires on its own (group_expiry)
            _membership_outage.failed(error)

    async def hub_event(self, message):
        """A hub event from the channel layer (nexus_graphql.events), to its subscriptions."""
        for queue in self.topics.get(message.get("topic"), ()):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                logger.warning("subscription too slow, event dropped: %s", message.get("topic"))


def _answer_key(source, viewer, document, variables, operation_name):
    """Equal for the same event, viewer and operation, whose answers are then equal."""
    event_id = getattr(source, "hub_event_id", None)
    if not event_id:
        return None
    who = viewer.pk if viewer.is_authenticated else None
    shown = json.dumps(variables or {}, sort_keys=True, default=str)
    return (event_id, who, document.fingerprint, shown, operation_name)


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _prepare(query, variables, operation_name):
    """(document, coerced variables) for a subscription that may run, else its errors:
    the HTTP endpoint's steps (nexus_graphql.views), in its order."""
    document = documents.get(query)
    if settings.GRAPHQL_TRUSTED_DOCUMENTS:
        try:
            persisted.check_trusted(query, document)
        except persisted.PersistedQueryError as error:
            return [_error(str(error), error.code)]
    if document.errors:
        return list(document.errors)
    operation = get_operation_ast(document.ast, operation_name)
    if operation is None:
        if operation_name:
            return [
                _error(f"The document has no operation named {operation_name!r}.", "BAD_REQUEST")
            ]
        return [_error("Name the operation to run (operationName) among several.", "BAD_REQUEST")]
    if operation.operation != OperationType.SUBSCRIPTION:
        return [
            _error(
                "Only subscriptions run over WebSocket; send queries and mutations over HTTP.",
                "BAD_REQUEST",
            )
        ]
    coerced = get_variable_values(
        documents.schema, operation.variable_definitions or (), variables or {}, max_errors=20
    )
    if isinstance(coerced, list):
        return coerced
    try:
        check_operation(documents.schema, document.ast, operation, variables, query_limits())
    except QueryLimitExceeded as error:
        return [error]
    return document, variables


def _execute_event(document, source, context, variables, operation_name) -> ExecutionResult:
    """The subscription's selection on one (already visible) object, as a query runs."""
    context.graphql_budget = operation_budget()
    try:
        return execute_charged(
            documents.schema,
            document.ast,
            context=context,
            variables=variables,
            operation_name=operation_name,
            root_value=source,
        )
    except ExecutionAborted as aborted:
        return ExecutionResult(None, [_error(aborted.message, aborted.code)])
