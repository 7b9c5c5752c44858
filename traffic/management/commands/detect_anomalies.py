from django.conf import settings
from django.core.management.base import BaseCommand

from traffic import services as traffic


class Command(BaseCommand):
    help = (
        "Flag addresses with abnormal request volume or repeated authentication failures in "
        "the last TRAFFIC_ANOMALIES window as suspicious (admin: Suspicious IPs). Blocks nothing."
    )

    def handle(self, *args, **options):
        flagged = traffic.detect_anomalies()
        window = settings.TRAFFIC_ANOMALIES["window_minutes"]
        self.stdout.write(f"{len(flagged)} suspicious address(es) in the last {window} minutes.")
        for suspect in flagged:
            self.stdout.write(
                f"  {suspect.ip} {suspect.reason}: {suspect.request_count} requests, "
                f"{suspect.auth_failure_count} authentication failures"
            )
