from django.db import models


class SeedRecord(models.Model):
    """What `load_hub` last wrote for one seeded object.

    `checksum` is the fingerprint of the seeded fields as loaded; if the object's
    current fingerprint differs, someone edited it since, and the loader leaves it.
    """

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="seedrecord_unique_key")
        ]

    def __str__(self):
        return f"{self.kind}:{self.key}"
