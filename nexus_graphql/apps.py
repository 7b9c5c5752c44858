from django.apps import AppConfig


class NexusConfig(AppConfig):
    name = "nexus_graphql"
    verbose_name = "Nexus GraphQL service"

    def ready(self):
        from hub.signals import content_changed
        from nexus_graphql import response_cache

        content_changed.connect(response_cache.content_changed, dispatch_uid="nexus-response-cache")
