"""GraphiQL from the project's own static files, with the example operations.

The page (templates/graphene/graphiql.html) loads pinned builds vendored from
npm (static/graphiql/vendor/, see its README.md), each with its integrity
hash, so it needs no CDN; static/graphiql/nexus-graphiql.js mounts GraphiQL
with the header editor and the example operations of docs/operations.
"""

import re
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.templatetags.static import static
from graphene_django.settings import graphene_settings

OPERATIONS_DIR = Path(settings.BASE_DIR) / "docs" / "operations"

_VENDOR = "graphiql/vendor"
_OPERATION_NAME = re.compile(
    r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)", re.M
)


class Asset(NamedTuple):
    path: str  # under the static root
    integrity: str  # subresource integrity of the file as vendored


STYLESHEETS = (
    Asset(
        f"{_VENDOR}/graphiql-2.4.7/graphiql.min.css",
        "sha256-8cmj8iyk4pVXYLFcV3mriWOC9Y/whDtRxxZ4xnl8Pko=",
    ),
    Asset(
        f"{_VENDOR}/graphiql-plugin-explorer-0.1.15/style.css",
        "sha256-fA0LPUlukMNR6L4SPSeFqDTYav8QdWjQ2nr559Zln1U=",
    ),
)
# In load order: GraphiQL needs React, the explorer plugin needs GraphiQL.
SCRIPTS = (
    Asset(
        f"{_VENDOR}/react-17.0.2/react.production.min.js",
        "sha256-Ipu/TQ50iCCVZBUsZyNJfxrDk0E2yhaEIz0vqI+kFG8=",
    ),
    Asset(
        f"{_VENDOR}/react-dom-17.0.2/react-dom.production.min.js",
        "sha256-nbMykgB6tsOFJ7OdVmPpdqMFVk4ZsqWocT6issAPUF0=",
    ),
    Asset(
        f"{_VENDOR}/graphiql-2.4.7/graphiql.min.js",
        "sha256-+4t1vjbcXNWaVqEdTlYrpYUlE/SlGCKnFr/2/Q48pNk=",
    ),
    Asset(
        f"{_VENDOR}/graphiql-plugin-explorer-0.1.15/graphiql-plugin-explorer.umd.js",
        "sha256-3hUuhBXdXlfCj6RTeEkJFtEh/kUG+TCDASFpFPLrzvE=",
    ),
)
APP_SCRIPT = "graphiql/nexus-graphiql.js"
APP_STYLESHEET = "graphiql/nexus-graphiql.css"


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
        "nexus_app_script": static(APP_SCRIPT),
        "nexus_app_stylesheet": static(APP_STYLESHEET),
        "nexus_graphiql_config": {
            "headerEditorEnabled": graphene_settings.GRAPHIQL_HEADER_EDITOR_ENABLED,
            "shouldPersistHeaders": graphene_settings.GRAPHIQL_SHOULD_PERSIST_HEADERS,
            "examples": examples(),
        },
    }
