from django.core.management.base import BaseCommand, CommandError

from hub.errors import ApplicationError
from traffic import services as traffic


class Command(BaseCommand):
    help = "Lift the block on an IP address."

    def add_arguments(self, parser):
        parser.add_argument("ip", help="IPv4 or IPv6 address.")

    def handle(self, *args, ip, **options):
        try:
            lifted = traffic.unblock_ip(ip=ip)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if not lifted:
            raise CommandError(f"{ip} is not blocked.")
        self.stdout.write(f"Unblocked {ip}.")
