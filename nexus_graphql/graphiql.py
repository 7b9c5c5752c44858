"""GraphiQL 5 from the project's own static files, with the example operations.

The page (templates/graphene/graphiql.html) loads one bundle built from pinned npm packages
(nexus_graphql/graphiql_build, `make graphiql`) into static/graphiql/vendor/graphiql-5/ (see
its README.md): GraphiQL, React, the Explorer, graphql-ws and the Nexus app (the example
operations of docs/operations, the header editor, the sign-in token). Each file is loaded
with the integrity hash the build recorded, so the page needs no CDN; Monaco's workers come
from the same folder, so the page's Content-Security-Policy allows this server alone.
"""

import json
import re
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from graphene_django.settings import graphene_settings

OPERATIONS_DIR = Path(settings.BASE_DIR) / "docs" / "operations"

VENDOR = "graphiql/vendor/graphiql-5"
VENDOR_DIR = Path(__file__).resolve().parent / "static" / VENDOR
_OPERATION_NAME = re.compile(
    r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)", re.M
)


class Asset(NamedTuple):
    path: str  # under the static root
    integrity: str  # subresource integrity of the file as built


def _assets() -> dict[str, Asset]:
    """Every built file by name, with the integrity the build recorded for it."""
    recorded = json.loads((VENDOR_DIR / "integrity.json").read_text(encoding="utf-8"))
    return {name: Asset(f"{VENDOR}/{name}", value) for name, value in recorded.items()}


ASSETS = _assets()
STYLESHEETS = (ASSETS["nexus-graphiql.css"],)
SCRIPTS = (ASSETS["nexus-graphiql.js"],)
# Monaco's web workers by the label Monaco asks for (a worker has no integrity attribute;
# tests check these files' hashes like the others').
WORKERS = {
    "editor": ASSETS["editor.worker.js"],
    "json": ASSETS["json.worker.js"],
    "graphql": ASSETS["graphql.worker.js"],
}


def examples(directory: Path = OPERATIONS_DIR) -> list[dict[str, str]]:
    """The example operations, in file order: each file's query, its leading comment
    as description, and its example variables (``<name>.variables.json``) if any."""
    found = []
    for path in sorted(directory.glob("*.graphql")):
        query = path.read_text(encoding="utf-8")
        name = _OPERATION_NAME.search(query)
        comment = []
        for line in query.splitlines():
            if not line.startswith("#"):
                break
            comment.append(line.lstrip("#").strip())
        variables = path.with_suffix(".variables.json")
        found.append(
            {
                "title": name.group(1) if name else path.stem,
                "description": " ".join(comment),
                "query": query,
                "variables": variables.read_text(encoding="utf-8") if variables.exists() else "",
            }
        )
    return found


def page_context() -> dict:
    """What the GraphiQL template needs beyond graphene-django's own context."""
    return {
        "nexus_stylesheets": [(static(a.path), a.integrity) for a in STYLESHEETS],
        "nexus_scripts": [(static(a.path), a.integrity) for a in SCRIPTS],
        "nexus_graphiql_config": {
            "headerEditorEnabled": graphene_settings.GRAPHIQL_HEADER_EDITOR_ENABLED,
            "shouldPersistHeaders": graphene_settings.GRAPHIQL_SHOULD_PERSIST_HEADERS,
            "examples": examples(),
            "workers": {label: static(a.path) for label, a in WORKERS.items()},
        },
    }


def development_home(request):
    """`/` in development (DEBUG): GraphiQL. In production there is no page at `/`."""
    if not settings.DEBUG:
        raise Http404("No page here: the API is at /graphql/.")
    return HttpResponseRedirect(reverse("graphql"))
