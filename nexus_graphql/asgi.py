"""The ASGI entry point: HTTP to Django, WebSocket (subscriptions) to the GraphQL consumer.

Both on /graphql/, as graphql-ws clients expect. Served by daphne (deploy/, README).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus_graphql.settings")

django_application = get_asgi_application()  # sets Django up before the imports below

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from nexus_graphql.subscriptions import GraphQLWebSocketConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter([path("graphql/", GraphQLWebSocketConsumer.as_asgi())]),
    }
)
