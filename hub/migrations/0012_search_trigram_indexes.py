"""Search matches words as substrings with LIKE (hub.selectors.search), the same on SQLite
and PostgreSQL, so the tsvector of 0002 is read by nothing: its trigger, index and column
go. On PostgreSQL, trigram GIN indexes (pg_trgm, a trusted extension since PostgreSQL 13)
serve `LIKE '%word%'` on each searched column; SQLite scans, as before."""

import importlib

from django.db import migrations

COLUMNS = ("title", "summary", "text")

DROP_VECTOR = """
DROP INDEX IF EXISTS hub_searchdocument_vector_gin;
DROP TRIGGER IF EXISTS hub_searchdocument_vector_trg ON hub_searchdocument;
DROP FUNCTION IF EXISTS hub_searchdocument_vector();
"""

CREATE_TRIGRAMS = "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n" + "\n".join(
    f"CREATE INDEX hub_searchdoc_{c}_trgm ON hub_searchdocument USING gin ({c} gin_trgm_ops);"
    for c in COLUMNS
)
DROP_TRIGRAMS = "\n".join(f"DROP INDEX IF EXISTS hub_searchdoc_{c}_trgm;" for c in COLUMNS)


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def _restore_vector(apps, schema_editor):
    # Back to 0002's trigger and index (the column is back: RemoveField reversed first).
    _on_postgres(importlib.import_module("hub.migrations.0002_search_vector_trigger").FORWARD)(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [("hub", "0011_search_text_folded")]

    operations = [
        migrations.RunPython(_on_postgres(DROP_VECTOR), _restore_vector),
        migrations.RemoveField(model_name="searchdocument", name="search_vector"),
        migrations.RunPython(_on_postgres(CREATE_TRIGRAMS), _on_postgres(DROP_TRIGRAMS)),
    ]
