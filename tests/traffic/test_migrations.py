"""The traffic models moved out of the hub app without touching the database: the tables
keep their names and rows, and their content types (permissions, admin history) follow."""

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from traffic.models import BlockedIP, RequestLog, SuspiciousIP

MOVE = [("hub", "0010_traffic_moved_out"), ("traffic", "0001_initial")]
BEFORE_THE_MOVE = ("hub", "0009_resource")


def test_the_models_keep_the_hub_tables():
    tables = [model._meta.db_table for model in (RequestLog, BlockedIP, SuspiciousIP)]

    assert tables == ["hub_requestlog", "hub_blockedip", "hub_suspiciousip"]


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses a test's atomic
@pytest.mark.parametrize(("app", "name"), MOVE)
def test_the_move_runs_no_sql(app, name):
    out = StringIO()
    call_command("sqlmigrate", app, name, stdout=out)

    statements = [
        line for line in out.getvalue().splitlines() if line and not line.startswith("--")
    ]
    # Only the transaction's frame; the content types move in Python.
    assert [s for s in statements if s not in ("BEGIN;", "COMMIT;")] == []


def test_the_models_match_their_migrations(db):
    call_command("makemigrations", "traffic", "hub", check=True, dry_run=True, stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_keeps_the_rows_and_the_content_types():
    BlockedIP.objects.create(ip="203.0.113.5", reason="kept")
    RequestLog.objects.create(ip="203.0.113.5", method="GET", path="/", status=200, duration_ms=1)
    content_type = ContentType.objects.get_for_model(RequestLog)
    executor = MigrationExecutor(connection)
    try:
        old = executor.migrate([BEFORE_THE_MOVE])  # hub owns the models again
        executor.loader.build_graph()
        assert old.apps.get_model("hub", "BlockedIP").objects.get().reason == "kept"
        assert old.apps.get_model("hub", "RequestLog").objects.count() == 1
        assert ContentType.objects.get(pk=content_type.pk).app_label == "hub"
    finally:
        executor.migrate(MOVE)
        ContentType.objects.clear_cache()

    assert BlockedIP.objects.get().reason == "kept"
    assert RequestLog.objects.get().created_at <= timezone.now()
    moved = ContentType.objects.get(pk=content_type.pk)
    assert (moved.app_label, moved.model) == ("traffic", "requestlog")
