from django.apps import AppConfig


class NexusConfig(AppConfig):
    name = "nexus_graphql"
    verbose_name = "Nexus GraphQL service"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from nexus_graphql.middleware import note_auth_failure

        user_login_failed.connect(note_auth_failure, dispatch_uid="nexus-auth-failure")
