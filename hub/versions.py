"""Versions of the hub's data, kept in the database and bumped by the writes themselves.

Every write to hub data names the *kinds* it changes: a model's name ("Challenge"),
or "Model.column" when it touches only columns that are shown but never used to
choose, order or hide rows (DISPLAY_ONLY: a bio edit changes "Contributor.bio" and
nothing a list depends on). Readers name the kinds they read the same way
(`kinds_read`), and caches key their entries by the current versions of those kinds.

The bump is part of the write's own transaction, run just before it commits
(nexus_graphql.db calls `flush`): the new version becomes visible together with the
data it describes, or not at all. So there is no separate invalidation step that a
cache outage could lose, and a reader that starts after a write has returned reads
the new version and can only match entries built from the new data. Kinds are bumped
in one sorted order at the very end of the transaction, after all its data locks, so
two writers cannot deadlock on them and hold them only for the commit.

A version never goes back: a bump sets max(version + 1, now in microseconds), so
even a database restored from an older backup does not reuse a number some cache
still holds entries under.
"""

import time
from collections.abc import Iterable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from hub.models import ContentVersion, Contributor

# Columns that are displayed and never filter, order or hide rows, per model. A write
# touching only these changes "Model.column" kinds, read only by responses that show them.
DISPLAY_ONLY: dict[type[Model], frozenset[str]] = {
    Contributor: frozenset({"bio", "discord_handle", "display_name", "reputation", "track"}),
}
# Sign-ins stamp last_login; nothing shows it.
_USER_DISPLAY_ONLY = frozenset({"last_login"})
# Every kind at once: for readers whose dependencies are not known field by field.
EVERYTHING = "*"

_PENDING = "hub_pending_version_kinds"


def kind_of(model: type[Model]) -> str:
    return model._meta.object_name


def _display_only(model: type[Model]) -> frozenset[str]:
    if model._meta.label == settings.AUTH_USER_MODEL:
        return _USER_DISPLAY_ONLY
    return DISPLAY_ONLY.get(model, frozenset())


def kinds_written(model: type[Model], fields: Iterable[str] | None = None) -> set[str]:
    """What a write of `fields` (all, when None) of `model` rows changes."""
    kind = kind_of(model)
    columns = set(fields or ())
    if columns and columns <= _display_only(model):
        return {f"{kind}.{column}" for column in columns}
    return {kind}


def kinds_read(model: type[Model], column: str | None = None) -> set[str]:
    """What showing `column` (or only which rows exist) of `model` depends on."""
    kind = kind_of(model)
    if column is not None and column in _display_only(model):
        return {kind, f"{kind}.{column}"}
    return {kind}


def record_write(model: type[Model], fields: Iterable[str] | None = None, using=None) -> None:
    """Note that `model` rows changed: bumped at commit, or at once outside a transaction."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    kinds = kinds_written(model, fields)
    if connection.in_atomic_block:
        pending = getattr(connection, _PENDING, None)
        if pending is None:
            pending = set()
            setattr(connection, _PENDING, pending)
        pending |= kinds
    else:
        # Autocommit: the write has committed already; the bump follows before the
        # caller goes on, so before any mutation reports success.
        bump(kinds, connection)


def flush(connection) -> None:
    """Bump the kinds the transaction wrote; called by the backend just before COMMIT."""
    pending = getattr(connection, _PENDING, None)
    if pending:
        setattr(connection, _PENDING, set())
        bump(pending, connection)


def discard(connection) -> None:
    """The transaction rolled back: what it wrote never happened."""
    if getattr(connection, _PENDING, None):
        setattr(connection, _PENDING, set())


def bump(kinds: Iterable[str], connection) -> None:
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    statement = (
        f"INSERT INTO {table} (kind, version) VALUES (%s, %s) ON CONFLICT (kind) "
        f"DO UPDATE SET version = {greatest}({table}.version + 1, excluded.version)"
    )
    now = time.time_ns() // 1000
    with connection.cursor() as cursor:
        for kind in sorted(kinds):  # one order for every writer: no deadlocks between bumps
            cursor.execute(statement, [kind, now])


def current(kinds: Iterable[str], using=None) -> tuple[tuple[str, int], ...]:
    """The versions of `kinds` (of every kind when EVERYTHING is among them), sorted.

    Kinds never written have no row and are left out: their first write adds one, which
    changes the answer all the same.
    """
    wanted = set(kinds)
    rows = ContentVersion.objects.using(using or DEFAULT_DB_ALIAS)
    if EVERYTHING not in wanted:
        rows = rows.filter(kind__in=wanted)
    return tuple(sorted(rows.values_list("kind", "version")))
