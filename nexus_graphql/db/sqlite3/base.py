from django.db.backends.sqlite3 import base

from nexus_graphql.db import VersionedCommits


class DatabaseWrapper(VersionedCommits, base.DatabaseWrapper):
    pass
