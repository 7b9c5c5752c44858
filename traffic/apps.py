from django.apps import AppConfig


class TrafficConfig(AppConfig):
    """Request logging, the address blocklist and anomaly detection."""

    name = "traffic"
    verbose_name = "Traffic"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from traffic.middleware import note_auth_failure

        user_login_failed.connect(note_auth_failure, dispatch_uid="traffic-auth-failure")
