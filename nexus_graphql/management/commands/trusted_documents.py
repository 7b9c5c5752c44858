"""Writes the trusted-documents manifest: `{sha256: document}` of every example operation.

The operations are docs/operations/*.graphql (what the JS clients in clients/ run) and
any .graphql file of a client under clients/. With GRAPHQL_TRUSTED_DOCUMENTS on, only
these run (nexus_graphql.persisted). `--check` fails, saying how to refresh it, when the
manifest differs from what would be written.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nexus_graphql.persisted import build_manifest, manifest_sources, manifest_text


class Command(BaseCommand):
    help = "Write the trusted-documents manifest from docs/operations and the JS clients."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            default=settings.GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST,
            help="where to write it (default: GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST)",
        )
        parser.add_argument(
            "--check", action="store_true", help="only check that the file is current"
        )

    def handle(self, *args, out, check, **options):
        sources = manifest_sources(Path(settings.BASE_DIR))
        if not sources:
            raise CommandError("No operations found in docs/operations or clients/.")
        text = manifest_text(build_manifest(sources))
        path = Path(out)
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                raise CommandError(
                    f"{path} is stale: run `make trusted-documents` "
                    "(python manage.py trusted_documents)."
                )
            self.stdout.write(f"{path} is current ({len(sources)} operations).")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {len(sources)} operations to {path}.")
