"""GraphiQL's page is served from the project's own static files, built from pinned packages."""

import base64
import hashlib
import json
import os
import re
import subprocess

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from nexus_graphql import graphiql
from tests.frontend.conftest import OPERATIONS_DIR, ROOT, node_available, require_tool

BUILD_DIR = ROOT / "nexus_graphql" / "graphiql_build"
ASSETS = tuple(graphiql.ASSETS.values())


def sri(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def vendored(asset) -> bytes:
    path = finders.find(asset.path)
    assert path, f"{asset.path} is not in any static folder"
    with open(path, "rb") as file:
        return file.read()


@pytest.fixture
def page(client):
    response = client.get("/graphql/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_the_page_loads_nothing_from_another_host(page):
    references = re.findall(r'(?:src|href)="([^"]*)"', page)

    assert references, "the page references no scripts or stylesheets"
    assert [r for r in references if not (r.startswith("/static/") or r == "data:,")] == []
    assert "cdn." not in page and "https://" not in page


def test_every_vendored_file_is_loaded_with_its_integrity(page):
    for asset in graphiql.STYLESHEETS + graphiql.SCRIPTS:
        assert f'"/static/{asset.path}" integrity="{asset.integrity}"' in page
        assert sri(vendored(asset)) == asset.integrity, f"{asset.path} changed: run make graphiql"


def test_the_workers_are_served_from_the_vendored_files(page):
    config = page_config(page)

    assert config["workers"] == {
        label: f"/static/{asset.path}" for label, asset in graphiql.WORKERS.items()
    }
    for asset in graphiql.WORKERS.values():
        assert sri(vendored(asset)) == asset.integrity, f"{asset.path} changed: run make graphiql"


def test_every_built_file_has_its_integrity_recorded():
    built = sorted(
        p.name for p in graphiql.VENDOR_DIR.iterdir() if p.name.endswith((".js", ".css"))
    )

    assert built == sorted(graphiql.ASSETS)
    for asset in ASSETS:
        assert sri(vendored(asset)) == asset.integrity, f"{asset.path} changed: run make graphiql"


def test_the_page_allows_this_server_alone(page):
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )

    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]  # no inline scripts, no eval
    assert directives["worker-src"] == ["'self'"]
    # Queries over HTTP, subscriptions over WebSocket, to the page's own host only.
    assert directives["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]


def test_the_build_pins_graphiql_5_react_19_and_graphql_ws():
    package = json.loads((BUILD_DIR / "package.json").read_text())
    lock = json.loads((BUILD_DIR / "package-lock.json").read_text())["packages"]
    pinned = {**package["dependencies"], **package["devDependencies"]}

    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in pinned.values()), pinned
    for name, version in pinned.items():
        assert lock[f"node_modules/{name}"]["version"] == version
    assert pinned["graphiql"].startswith("5.")
    assert pinned["react"].startswith("19.") and pinned["react-dom"] == pinned["react"]
    assert "graphql-ws" in pinned and "@graphiql/plugin-explorer" in pinned


def test_the_vendored_bundle_is_what_the_locked_packages_build(tmp_path):
    """Reproducible: `make graphiql`'s build, from package-lock.json, gives the same bytes."""
    require_tool(
        node_available() and (BUILD_DIR / "node_modules" / ".package-lock.json").exists(),
        "Node.js and the GraphiQL build's packages",
        "make graphiql-deps",
    )
    done = subprocess.run(
        ["node", "build.mjs"],
        cwd=BUILD_DIR,
        env={**os.environ, "OUTDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr

    rebuilt = json.loads((tmp_path / "integrity.json").read_text())
    assert rebuilt == {name: asset.integrity for name, asset in graphiql.ASSETS.items()}


def page_config(page: str) -> dict:
    return json.loads(
        re.search(
            r'<script id="nexus-graphiql-config" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )


def test_the_page_offers_every_example_operation_with_its_variables(page):
    config = page_config(page)

    examples = {example["title"]: example for example in config["examples"]}
    assert len(examples) == len(list(OPERATIONS_DIR.glob("*.graphql")))
    assert examples["SignIn"]["query"].startswith("# Sign in")
    assert json.loads(examples["SignIn"]["variables"]) == {
        "username": "ada",
        "password": "a long passphrase",
    }
    assert config["headerEditorEnabled"] is True


def test_collectstatic_keeps_the_vendored_files_byte_for_byte(settings, tmp_path):
    """Production serves collectstatic's hashed copies: they must still match the integrity."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for asset in ASSETS:
        served = (tmp_path / manifest[asset.path]).read_bytes()
        assert sri(served) == asset.integrity, f"collectstatic rewrote {asset.path}"


def test_in_development_the_root_leads_to_graphiql(client, settings):
    settings.DEBUG = True

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/graphql/"


def test_in_production_the_root_is_not_found(client, settings):
    settings.DEBUG = False

    assert client.get("/").status_code == 404
