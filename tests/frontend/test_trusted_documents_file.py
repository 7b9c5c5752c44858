"""The committed trusted-documents manifest is what `manage.py trusted_documents` writes."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from graphql import build_schema, parse, validate

from nexus_graphql.persisted import build_manifest, manifest_sources
from tests.frontend.conftest import OPERATIONS_DIR, ROOT

MANIFEST = ROOT / "nexus_graphql" / "trusted-documents.json"


def test_the_committed_manifest_is_current():
    out = StringIO()
    try:
        call_command("trusted_documents", "--check", out=str(MANIFEST), stdout=out)
    except CommandError as error:
        pytest.fail(str(error))
    assert "is current" in out.getvalue()


def test_a_stale_manifest_is_reported_with_the_refresh_command(tmp_path):
    stale = tmp_path / "trusted-documents.json"
    entries = json.loads(MANIFEST.read_text())
    entries.popitem()
    stale.write_text(json.dumps(entries))

    with pytest.raises(CommandError, match="make trusted-documents"):
        call_command("trusted_documents", "--check", out=str(stale), stdout=StringIO())
    with pytest.raises(CommandError, match="stale"):
        call_command("trusted_documents", "--check", out=str(tmp_path / "none"), stdout=StringIO())


def test_the_command_writes_every_example_operation(tmp_path):
    out = tmp_path / "manifest.json"

    call_command("trusted_documents", out=str(out), stdout=StringIO())

    entries = json.loads(out.read_text())
    examples = sorted(OPERATIONS_DIR.glob("*.graphql"))
    assert sorted(entries.values()) == sorted(path.read_text() for path in examples)
    for sha256, document in entries.items():
        assert hashlib.sha256(document.encode()).hexdigest() == sha256


def test_every_trusted_document_fits_the_schema():
    schema = build_schema((ROOT / "schema.graphql").read_text())
    for document in json.loads(MANIFEST.read_text()).values():
        assert validate(schema, parse(document)) == []


def test_the_clients_own_operations_are_sources_too(tmp_path):
    (tmp_path / "docs" / "operations").mkdir(parents=True)
    (tmp_path / "docs" / "operations" / "a.graphql").write_text("query A { me { id } }")
    (tmp_path / "clients" / "web" / "src").mkdir(parents=True)
    (tmp_path / "clients" / "web" / "src" / "b.graphql").write_text("query B { me { id } }")
    (tmp_path / "clients" / "web" / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "clients" / "web" / "node_modules" / "x" / "c.graphql").write_text("{ c }")

    sources = manifest_sources(tmp_path)

    assert [path.name for path in sources] == ["a.graphql", "b.graphql"]
    assert len(build_manifest(sources)) == 2
