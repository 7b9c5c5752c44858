"""Database backends: Django's own, with the hub's data versions bumped inside each commit.

Django has hooks after a commit, none before it; hub.versions needs its bumps inside
the transaction they describe. DATABASE_URL picks the vendor as usual and settings
swap in these engines, which differ from Django's only in `_commit` / `_rollback`.
"""


class VersionedCommits:
    def _commit(self):
        from hub import versions  # backends load before the apps do

        # A failing bump raises out of commit(): atomic() then rolls the write back.
        versions.flush(self)
        return super()._commit()

    def _rollback(self):
        from hub import versions

        versions.discard(self)
        return super()._rollback()
