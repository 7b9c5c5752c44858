"""PostgreSQL full-text search: the tsvector is computed by the database.

A BEFORE trigger keeps hub_searchdocument.search_vector in step with its text
(title weighted A, summary B, body C) and a GIN index serves @@ queries. SQLite
has no tsvector; there the search selector falls back to LIKE scoring, so this
migration does nothing on other databases.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION hub_searchdocument_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(NEW.text, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER hub_searchdocument_vector_trg
    BEFORE INSERT OR UPDATE OF title, summary, text ON hub_searchdocument
    FOR EACH ROW EXECUTE FUNCTION hub_searchdocument_vector();

CREATE INDEX hub_searchdocument_vector_gin ON hub_searchdocument USING gin (search_vector);

UPDATE hub_searchdocument SET title = title;
"""

BACKWARD = """
DROP INDEX IF EXISTS hub_searchdocument_vector_gin;
DROP TRIGGER IF EXISTS hub_searchdocument_vector_trg ON hub_searchdocument;
DROP FUNCTION IF EXISTS hub_searchdocument_vector();
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial")]

    operations = [migrations.RunPython(_on_postgres(FORWARD), _on_postgres(BACKWARD))]
