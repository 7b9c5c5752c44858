from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hub.content.export import render_hub_markdown


class Command(BaseCommand):
    help = (
        "Write the whole published hub as one README-style Markdown document (technologies, "
        "concepts, challenges with their solutions, best practices, takeaways, collaboration, "
        "projects, resources). `load_hub --from FILE` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            default=None,
            help="File to write (default: standard output).",
        )

    def handle(self, *args, output=None, **options):
        document = render_hub_markdown()
        if output is None:
            self.stdout.write(document, ending="")
            return
        try:
            output.write_text(document, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from exc
        self.stderr.write(f"Wrote the hub document to {output}.")
