from django.contrib.contenttypes.models import ContentType

from hub.models import Challenge, Learning, Revision, Solution

# The text fields a revision keeps for each kind: (title field, body field).
REVISED_FIELDS = {
    Challenge: ("title", "description"),
    Learning: ("title", "body"),
    Solution: (None, "body"),
}


def snapshot(obj) -> tuple[str, str]:
    title_field, body_field = REVISED_FIELDS[type(obj)]
    return (getattr(obj, title_field) if title_field else "", getattr(obj, body_field))


def revise(obj, editor, title: str | None, body: str | None) -> list[str]:
    """Apply new text to `obj` (unsaved), keeping the old text as a revision if it changes.

    Returns the names of the changed fields.
    """
    previous = snapshot(obj)
    changed = apply_text(obj, title, body)
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


def apply_text(obj, title: str | None, body: str | None) -> list[str]:
    """Set the revised fields; returns the names changed."""
    title_field, body_field = REVISED_FIELDS[type(obj)]
    changed = []
    if title_field and title is not None and getattr(obj, title_field) != title:
        setattr(obj, title_field, title)
        changed.append(title_field)
    if body is not None and getattr(obj, body_field) != body:
        setattr(obj, body_field, body)
        changed.append(body_field)
    return changed
