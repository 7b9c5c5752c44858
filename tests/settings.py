"""Settings for the test suite: the service's own, plus django-zeal's N+1 guard."""

from nexus_graphql.settings import *  # noqa: F403
from nexus_graphql.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]
# Any relation loaded row by row (N+1) raises in the test that does it (tests/conftest.py).
ZEAL_RAISE = True
ZEAL_SHOW_ALL_CALLERS = False
# Writing the search index is one statement per indexed row by design (writes only).
ZEAL_ALLOWLIST = [{"model": "hub.SearchDocument"}]
