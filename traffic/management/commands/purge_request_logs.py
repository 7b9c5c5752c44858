from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hub.errors import ApplicationError
from traffic import services as traffic


class Command(BaseCommand):
    help = "Delete request logs older than --days (default REQUEST_LOG_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Days of logs to keep.")

    def handle(self, *args, days, **options):
        days = settings.REQUEST_LOG_RETENTION_DAYS if days is None else days
        try:
            purged = traffic.purge_request_logs(older_than_days=days)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Purged {purged} request log(s) older than {days} days.")
