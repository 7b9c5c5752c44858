from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """One row per searchable object, so `search` ranks all kinds in one query.

    On PostgreSQL a trigger (migration 0002) keeps `search_vector` as the
    weighted tsvector of title (A), summary (B) and text (C), with a GIN index.
    On SQLite the column stays empty and the selector falls back to LIKE scoring.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    search_vector = SearchVectorField(null=True, editable=False)
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
