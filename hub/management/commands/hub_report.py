from argparse import ArgumentTypeError
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hub.errors import ApplicationError
from hub.services import reports


class Command(BaseCommand):
    help = (
        "Print the weekly digest (new challenges, unanswered ones, top contributors by "
        "reputation gained) of the days before --until (today, UTC). With --send, email it "
        "to HUB_DIGEST_RECIPIENTS or the moderators, once per recipient and period."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--until",
            type=_day,
            default=None,
            help="End of the period, exclusive, as YYYY-MM-DD (default: today).",
        )
        parser.add_argument("--days", type=int, default=reports.DAYS, help="Length of the period.")
        parser.add_argument(
            "--limit", type=int, default=reports.LIMIT, help="Rows in each list of the report."
        )
        parser.add_argument(
            "--send", action="store_true", help="Email the digest (weekly period only)."
        )

    def handle(self, *args, until=None, days, limit, send, **options):
        end = reports.get_period_end(day=until)
        if send:
            if (days, limit) != (reports.DAYS, reports.LIMIT):
                raise CommandError("--send emails the standard digest: drop --days and --limit.")
            sent = reports.send_weekly_digest(until=end)
            self.stdout.write(f"Digest emailed to {sent} new recipient(s).")
            return
        try:
            digest = reports.build_weekly_digest(until=end, days=days, limit=limit)
        except ApplicationError as error:
            raise CommandError(f"--{error.field}: {error.message}") from error
        self.stdout.write(digest.as_text())


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
