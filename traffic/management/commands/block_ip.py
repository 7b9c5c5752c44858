import re
from datetime import UTC, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hub.errors import ApplicationError
from traffic import services as traffic

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_expiry(text: str):
    """`30m`, `12h`, `7d` from now, or an ISO-8601 date and time (UTC unless it says)."""
    match = _DURATION.match(text.strip().lower())
    if match:
        return timezone.now() + timedelta(**{_UNITS[match[2]]: int(match[1])})
    moment = parse_datetime(text.strip())
    if moment is None:
        raise CommandError(f"--expires {text!r}: use a duration (30m, 12h, 7d) or ISO-8601 time.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class Command(BaseCommand):
    help = (
        "Block an IP address: its requests get HTTP 403 before any other work, in every "
        "worker within BLOCKLIST_REFRESH_SECONDS. Re-blocking updates the reason and end."
    )

    def add_arguments(self, parser):
        parser.add_argument("ip", help="IPv4 or IPv6 address.")
        parser.add_argument("--reason", default="", help="Why, for the admin (200 chars).")
        parser.add_argument(
            "--expires",
            default=None,
            help="When the block ends: a duration (30m, 12h, 7d) or an ISO-8601 time. "
            "Default: never.",
        )

    def handle(self, *args, ip, reason, expires, **options):
        expires_at = parse_expiry(expires) if expires else None
        try:
            blocked = traffic.block_ip(ip=ip, reason=reason, expires_at=expires_at)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        until = blocked.expires_at.isoformat() if blocked.expires_at else "until unblocked"
        self.stdout.write(f"Blocked {blocked.ip} ({until}).")
