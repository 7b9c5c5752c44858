"""Search documents keep their text in lower case (Python's str.lower), as the search
words are: hub.selectors.search matches them with a plain LIKE, the same way on SQLite
and PostgreSQL."""

from django.db import migrations

COLUMNS = ("title", "summary", "text")


def lower_case(apps, schema_editor):
    documents = apps.get_model("hub", "SearchDocument").objects.using(schema_editor.connection.alias)
    batch = []
    for document in documents.only("pk", *COLUMNS).iterator(chunk_size=2_000):
        for column in COLUMNS:
            setattr(document, column, getattr(document, column).lower())
        batch.append(document)
        if len(batch) == 2_000:
            documents.bulk_update(batch, COLUMNS)
            batch = []
    documents.bulk_update(batch, COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("hub", "0010_traffic_moved_out")]

    operations = [migrations.RunPython(lower_case, migrations.RunPython.noop)]
