from django.contrib.contenttypes.models import ContentType
from django.db import models


class SearchDocument(models.Model):
    """One row per searchable object, so `search` ranks all kinds in one query.

    Its text is kept in lower case (hub.search_index) and matched word by word with LIKE,
    the same on SQLite and PostgreSQL (hub.selectors.search); on PostgreSQL trigram GIN
    indexes on title, summary and text serve those LIKEs (migration 0012).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="searchdocument_unique_object"
            )
        ]
        indexes = [models.Index(fields=["is_published"], name="searchdoc_published_idx")]

    def __str__(self):
        return self.title
