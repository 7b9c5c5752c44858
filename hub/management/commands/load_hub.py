from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hub.content.loader import load_hub
from hub.content.markdown_reader import load_hub_document


class Command(BaseCommand):
    help = (
        "Load the hub's seed content (technologies, learnings, projects, challenges and "
        "solutions, resources) from hub/content/data, or from a hub document written by export_hub "
        "(--from). Safe to re-run: content edited in the hub since it was loaded is left "
        "alone and reported as skipped."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Directory holding the YAML files (default: hub/content/data).",
        )
        source.add_argument(
            "--from",
            dest="document",
            type=Path,
            default=None,
            help="A hub document written by export_hub (Markdown) to load instead.",
        )

    def handle(self, *args, data_dir=None, document=None, **options):
        try:
            report = load_hub_document(document) if document else load_hub(data_dir)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
        for item in report.skipped:
            self.stdout.write(f"  skipped {item.kind} {item.key}: {item.reason}")
