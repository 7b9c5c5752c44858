from django.contrib.contenttypes.models import ContentType

from hub import kinds
from hub.models import ContentStatus, Revision
from hub.permissions import is_moderator


def get_revised_fields(model) -> tuple[str | None, str] | None:
    """(title field or None, body field) a revision keeps of `model`; None: not revised."""
    return kinds.of(model).revised_fields


def get_revised_text(obj) -> tuple[str, str]:
    title_field, body_field = get_revised_fields(type(obj))
    return (getattr(obj, title_field) if title_field else "", getattr(obj, body_field))


def revise_content(obj, editor, title: str | None, body: str | None) -> list[str]:
    """Apply new text to `obj` (unsaved), keeping the old text as a revision if it changes.

    Returns the names of the changed fields.
    """
    previous = get_revised_text(obj)
    changed = apply_revised_text(obj, title, body)
    if changed:
        record_revision(obj, editor, previous)
    return changed


def record_revision(obj, editor, previous: tuple[str, str]) -> Revision:
    title, body = previous
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        editor=editor,
        title=title,
        body=body,
    )


def apply_revised_text(obj, title: str | None, body: str | None) -> list[str]:
    """Set the revised fields; returns the names changed."""
    title_field, body_field = get_revised_fields(type(obj))
    changed = []
    if title_field and title is not None and getattr(obj, title_field) != title:
        setattr(obj, title_field, title)
        changed.append(title_field)
    if body is not None and getattr(obj, body_field) != body:
        setattr(obj, body_field, body)
        changed.append(body_field)
    return changed


def set_technologies(obj, technologies) -> list[str]:
    """Link `obj` to exactly `technologies` (None: leave them); ["technologies"] if changed."""
    if technologies is None:
        return []
    wanted = {t.pk for t in technologies}
    if wanted == set(obj.technologies.values_list("pk", flat=True)):
        return []
    obj.technologies.set(technologies)
    return ["technologies"]


def send_back_to_review(obj, viewer, changed: list[str]) -> None:
    """What readers see was reviewed: an author's edit of published content goes back to
    review, as a new submission does (a moderator's edit is reviewed already)."""
    if changed and obj.status == ContentStatus.PUBLISHED and not is_moderator(viewer):
        obj.status = ContentStatus.PENDING
