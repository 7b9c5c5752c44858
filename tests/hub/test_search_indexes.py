"""On PostgreSQL the search's LIKEs are served by trigram indexes, not only by scans."""

import pytest
from django.db import connection

from hub.selectors.search import ranked_documents
from tests.factories import ChallengeFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's"),
]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny: forbid the scan so the plan shows what the index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_each_searched_column_has_a_trigram_index_the_search_uses():
    ChallengeFactory.create_batch(3, title="Docker volumes")

    plan = _plan(ranked_documents("docker volumes", published_only=False))

    for column in ("title", "summary", "text"):
        assert f"hub_searchdoc_{column}_trgm" in plan, plan


def test_the_old_tsvector_trigger_is_gone():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'hub_searchdocument_vector_trg'"
        )
        assert cursor.fetchone() == (0,)
