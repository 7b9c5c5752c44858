"""schema.graphql, the SDL frontends generate code from, is the schema the code serves."""

import difflib
from io import StringIO

from django.core.management import call_command

from tests.frontend.conftest import ROOT

REFRESH = "make schema  (python manage.py graphql_schema --out schema.graphql)"


def printed_schema(tmp_path) -> str:
    """What graphene-django's graphql_schema command prints for the code as it is now."""
    out = tmp_path / "schema.graphql"
    call_command("graphql_schema", out=str(out), stdout=StringIO())
    return out.read_text(encoding="utf-8")


def staleness(committed: str | None, printed: str) -> str | None:
    """Why the committed schema.graphql is stale, with how to refresh it; None if current."""
    if committed is None:
        return f"schema.graphql is missing: run {REFRESH}"
    if committed.rstrip("\n") == printed.rstrip("\n"):
        return None
    diff = difflib.unified_diff(
        committed.splitlines(), printed.splitlines(), "schema.graphql", "the code", lineterm=""
    )
    excerpt = "\n".join(list(diff)[:60])
    return f"schema.graphql differs from the schema the code serves: run {REFRESH}\n{excerpt}"


def test_schema_graphql_is_what_the_code_prints(tmp_path):
    path = ROOT / "schema.graphql"
    committed = path.read_text(encoding="utf-8") if path.exists() else None
    problem = staleness(committed, printed_schema(tmp_path))
    assert problem is None, problem


def test_a_stale_schema_file_is_reported_with_the_refresh_command(tmp_path):
    printed = printed_schema(tmp_path)
    stale = printed.replace("  hubDocument(", "  oldHubDocument(")

    problem = staleness(stale, printed)

    assert "run make schema" in problem
    assert "-  oldHubDocument(" in problem and "+  hubDocument(" in problem
    assert "missing" in staleness(None, printed)
