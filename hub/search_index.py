"""Keeps SearchDocument rows in step with the searchable kinds (hub.kinds)."""

from django.contrib.contenttypes.models import ContentType

from hub import kinds
from hub.models import SearchDocument

SEARCHED_FIELDS = ("title", "summary", "text")


def index_object(obj, *, created: bool = False) -> None:
    document = kinds.of(type(obj)).search_document(obj)
    # Stored in lower case, as search words are (hub.selectors.search): a plain LIKE
    # then matches the same way on every database.
    for field in SEARCHED_FIELDS:
        document[field] = document[field].lower()
    SearchDocument.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, defaults=document
    )
    if not created:  # a new row has no related rows yet
        for relation in kinds.of(type(obj)).reindexes:
            for related in getattr(obj, relation).all():
                index_object(related)


def unindex_object(obj) -> None:
    SearchDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).delete()
