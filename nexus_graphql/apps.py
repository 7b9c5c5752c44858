from django.apps import AppConfig


class NexusConfig(AppConfig):
    name = "nexus_graphql"
    verbose_name = "Nexus GraphQL service"
