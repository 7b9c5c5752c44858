"""Search documents keep their text folded (ASCII letters in lower case), as the search
words are: hub.selectors.search matches them with a plain LIKE, the same way on SQLite
and PostgreSQL. LOWER folds ASCII only on SQLite, and on PostgreSQL under "C"."""

from django.db import migrations

COLUMNS = ("title", "summary", "text")


def fold(apps, schema_editor):
    collate = ' COLLATE "C"' if schema_editor.connection.vendor == "postgresql" else ""
    assignments = ", ".join(f"{c} = LOWER({c}{collate})" for c in COLUMNS)
    schema_editor.execute(f"UPDATE hub_searchdocument SET {assignments}")


class Migration(migrations.Migration):
    dependencies = [("hub", "0010_traffic_moved_out")]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop)]
