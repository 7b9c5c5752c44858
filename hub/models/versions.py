from django.db import models


class ContentVersion(models.Model):
    """How many times a kind of hub data has changed, as the database itself knows it.

    Bumped inside each write's own transaction (hub.versions), so "this changed" commits
    or rolls back with the change itself: caches key their entries by these numbers and
    can never lose an invalidation, whatever happens to the cache.
    """

    # "Challenge" for a model's rows, "Contributor.bio" for a column written on its own.
    kind = models.CharField(max_length=120, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self):
        return f"{self.kind}@{self.version}"
