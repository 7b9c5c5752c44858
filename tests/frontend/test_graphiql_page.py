"""GraphiQL's page is served from the project's own static files, at pinned versions."""

import base64
import hashlib
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from graphene_django.views import GraphQLView

from nexus_graphql import graphiql
from tests.frontend.conftest import OPERATIONS_DIR

# The source-map comment removed from the end of each file (see vendor/README.md).
REMOVED_TAILS = {
    "graphiql.min.js": b"//# sourceMappingURL=graphiql.min.js.map",
    "graphiql.min.css": b"/*# sourceMappingURL=graphiql.min.css.map*/",
}
# The integrity graphene-django pins for the same files on its CDN page.
UPSTREAM = {
    "graphiql.min.js": GraphQLView.graphiql_sri,
    "graphiql.min.css": GraphQLView.graphiql_css_sri,
    "react.production.min.js": GraphQLView.react_sri,
    "react-dom.production.min.js": GraphQLView.react_dom_sri,
    "graphiql-plugin-explorer.umd.js": GraphQLView.graphiql_plugin_explorer_sri,
    "style.css": GraphQLView.graphiql_plugin_explorer_css_sri,
}
ASSETS = graphiql.STYLESHEETS + graphiql.SCRIPTS


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
    for asset in ASSETS:
        assert f'"/static/{asset.path}" integrity="{asset.integrity}"' in page
        assert sri(vendored(asset)) == asset.integrity, f"{asset.path} changed: re-vendor it"


@pytest.mark.parametrize("asset", ASSETS, ids=lambda asset: asset.path.split("/")[-1])
def test_vendored_files_are_the_npm_builds_graphene_django_pins(asset):
    name = asset.path.rsplit("/", 1)[-1]

    upstream = vendored(asset) + REMOVED_TAILS.get(name, b"")

    assert sri(upstream) == UPSTREAM[name]


def test_the_page_offers_every_example_operation_with_its_variables(page):
    config = json.loads(
        re.search(
            r'<script id="nexus-graphiql-config" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )

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
