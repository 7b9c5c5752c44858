"""The transport of hub events (hub.events) between processes: the channel layer.

Each event goes to the group of its topic; the sockets subscribed to that topic
(nexus_graphql.subscriptions) are its members. Called after the write has committed,
from the request's thread; a layer that does not answer within
GRAPHQL_WS_LAYER_TIMEOUT_SECONDS is logged by hub.events, the mutation's answer stands.
"""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from hub.events import Event

MESSAGE_TYPE = "hub.event"  # handled by GraphQLWebSocketConsumer.hub_event


def group_of(topic: str) -> str:
    return f"hub.{topic}"


def send(event: Event) -> None:
    async_to_sync(_send)(event)


async def _send(event: Event) -> None:
    message = {
        "type": MESSAGE_TYPE,
        "id": event.id,
        "topic": event.topic,
        "model": event.model,
        "pk": event.pk,
    }
    layer = get_channel_layer()
    await asyncio.wait_for(
        layer.group_send(group_of(event.topic), message),
        timeout=settings.GRAPHQL_WS_LAYER_TIMEOUT_SECONDS,
    )
