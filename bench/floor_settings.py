"""Settings for the floor server: Nexus's settings, only the floor's URLs, no middleware."""

from nexus_graphql.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
MIDDLEWARE = []
