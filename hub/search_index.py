"""Keeps SearchDocument rows in step with the searchable content."""

from django.contrib.contenttypes.models import ContentType

from hub.models import (
    Challenge,
    ContentStatus,
    Learning,
    Project,
    SearchDocument,
    Solution,
    Technology,
)

SEARCHABLE_MODELS = (Technology, Learning, Project, Challenge, Solution)


def _document_fields(obj) -> dict:
    if isinstance(obj, Technology):
        return {
            "title": obj.name,
            "summary": obj.summary,
            "text": f"{obj.get_category_display()}\n{obj.learned}",
            "is_published": True,
        }
    if isinstance(obj, Project):
        return {
            "title": obj.title,
            "summary": obj.summary,
            "text": "\n".join([obj.description, *obj.highlights]),
            "is_published": True,
        }
    if isinstance(obj, Learning):
        return {
            "title": obj.title,
            "summary": obj.summary,
            "text": obj.body,
            "is_published": obj.status == ContentStatus.PUBLISHED,
        }
    if isinstance(obj, Challenge):
        return {
            "title": obj.title,
            "summary": "",
            "text": obj.description,
            "is_published": obj.status == ContentStatus.PUBLISHED,
        }
    if isinstance(obj, Solution):
        challenge = obj.challenge
        return {
            "title": challenge.title,
            "summary": "",
            "text": obj.body,
            "is_published": obj.status == ContentStatus.PUBLISHED
            and challenge.status == ContentStatus.PUBLISHED,
        }
    raise TypeError(f"{type(obj).__name__} is not searchable")


def index_object(obj, *, created: bool = False) -> None:
    SearchDocument.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        defaults=_document_fields(obj),
    )
    if isinstance(obj, Challenge) and not created:
        # A solution is public only while its challenge is (a new one has none yet).
        for solution in obj.solutions.select_related("challenge"):
            index_object(solution)


def unindex_object(obj) -> None:
    SearchDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).delete()
