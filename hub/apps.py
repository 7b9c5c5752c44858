from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Knowledge hub"

    def ready(self):
        from hub import signals  # noqa: F401  (connects the search index keepers)
