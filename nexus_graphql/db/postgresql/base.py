from django.db.backends.postgresql import base

from nexus_graphql.db import VersionedCommits


class DatabaseWrapper(VersionedCommits, base.DatabaseWrapper):
    pass
