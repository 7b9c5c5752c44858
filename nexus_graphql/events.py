"""The transport of hub events (hub.events) between processes: the channel layer.

Each event goes to the group of its topic; the sockets subscribed to that topic
(nexus_graphql.subscriptions) are its members. Called after the write has committed,
from the request's thread, so a sick layer must not hold the answer of the mutation
that caused the event: a publish gets GRAPHQL_WS_PUBLISH_TIMEOUT_SECONDS, and on the
Redis layer it goes through that server's circuit breaker (nexus_graphql.redis_breaker),
so while Redis is down events are dropped at once, without I/O, for the breaker's open
period. Live events are best effort by design: a client that reconnects queries what it
missed. Failures are logged as one outage (the breaker already warns about the server).
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from redis.connection import parse_url

from hub.events import Event
from nexus_graphql.outages import Outage
from nexus_graphql.redis_breaker import CircuitBreaker, breaker_for, server_of

logger = logging.getLogger("nexus.events")

MESSAGE_TYPE = "hub.event"  # handled by GraphQLWebSocketConsumer.hub_event
_outage = Outage(logger, "subscription events (channel layer)", level=logging.INFO)


def group_of(topic: str) -> str:
    return f"hub.{topic}"


def send(event: Event) -> None:
    breaker = layer_breaker()
    try:
        if breaker is None:
            async_to_sync(_send)(event)
        else:
            breaker.call(async_to_sync(_send), event)
    except Exception as error:  # the write stands; this event is not delivered
        _outage.failed(error)
        return
    _outage.succeeded()


def layer_breaker() -> CircuitBreaker | None:
    """The breaker of the channel layer's Redis server; None for the in-process layer."""
    if not settings.CHANNEL_REDIS_URL:
        return None
    return breaker_for(server_of(parse_url(settings.CHANNEL_REDIS_URL)))


async def _send(event: Event) -> None:
    message = {
        "type": MESSAGE_TYPE,
        "id": event.id,
        "topic": event.topic,
        "model": event.model,
        "pk": event.pk,
    }
    layer = get_channel_layer()
    # TimeoutError is an OSError: the breaker counts it as the server not answering.
    await asyncio.wait_for(
        layer.group_send(group_of(event.topic), message),
        timeout=settings.GRAPHQL_WS_PUBLISH_TIMEOUT_SECONDS,
    )
