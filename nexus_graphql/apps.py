from django.apps import AppConfig


class NexusConfig(AppConfig):
    name = "nexus_graphql"
    verbose_name = "Nexus GraphQL service"

    def ready(self):
        from hub import events
        from nexus_graphql import events as transport

        # Hub events reach subscribers through the channel layer.
        events.add_sender(transport.send)
