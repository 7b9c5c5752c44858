"""Search matches words as substrings with LIKE (hub.selectors.search), the same on SQLite
and PostgreSQL, so the tsvector of 0002 is read by nothing: its trigger, index and column
go. On PostgreSQL, trigram GIN indexes (pg_trgm, a trusted extension since PostgreSQL 13)
serve `LIKE '%word%'` on each searched column; SQLite scans, as before.

Expand, not contract (deploy/RUNBOOK.md): the column leaves the model only, so pods of the
previous release, which still select it, keep working during the rollout; a later release
drops it. The indexes are built CONCURRENTLY (writes go on meanwhile), hence not atomic."""

import importlib

from django.db import migrations

COLUMNS = ("title", "summary", "text")

DROP_VECTOR = """
DROP INDEX IF EXISTS hub_searchdocument_vector_gin;
DROP TRIGGER IF EXISTS hub_searchdocument_vector_trg ON hub_searchdocument;
DROP FUNCTION IF EXISTS hub_searchdocument_vector();
"""

# One statement per execute: several at once are one transaction, where CONCURRENTLY fails.
CREATE_TRIGRAMS = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS hub_searchdoc_{column}_trgm"
    f" ON hub_searchdocument USING gin ({column} gin_trgm_ops)"
    for column in COLUMNS
]
DROP_TRIGRAMS = [f"DROP INDEX CONCURRENTLY IF EXISTS hub_searchdoc_{c}_trgm" for c in COLUMNS]


def _on_postgres(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def _restore_vector(apps, schema_editor):
    # Back to 0002's trigger and index (the column was never dropped).
    _on_postgres(importlib.import_module("hub.migrations.0002_search_vector_trigger").FORWARD)(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("hub", "0011_search_text_folded")]

    operations = [
        migrations.RunPython(_on_postgres(DROP_VECTOR), _restore_vector),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="searchdocument", name="search_vector")
            ]
        ),
        migrations.RunPython(_on_postgres(*CREATE_TRIGRAMS), _on_postgres(*DROP_TRIGRAMS)),
    ]
