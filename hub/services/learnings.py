from django.db import transaction

from hub import events
from hub.models import ContentStatus, Learning, LearningKind
from hub.permissions import Viewer, require_can_edit, require_contributor
from hub.services.lookups import get_technologies_by_slug, get_visible_or_not_found
from hub.services.revisions import revise_content, send_back_to_review, set_technologies
from hub.services.rules import Checks
from hub.slugs import create_with_unique_slug

TITLE_MAX = 200
SUMMARY_MAX = 300


@transaction.atomic
def submit_learning(
    *,
    viewer: Viewer,
    title: str | None,
    kind: str | None,
    summary: str | None,
    body: str | None,
    technologies: list[str] | None,
) -> Learning:
    """A contributor's learning enters PENDING: only its author and moderators see it."""
    author = require_contributor(viewer)
    checks = Checks()
    title = checks.text("title", title, max_length=TITLE_MAX)
    kind = checks.choice("kind", kind, LearningKind)
    summary = checks.text("summary", summary, max_length=SUMMARY_MAX, required=False) or ""
    body = checks.markdown("body", body)
    techs = get_technologies_by_slug(technologies, checks)
    checks.raise_if_any()
    learning = create_with_unique_slug(  # concurrent equal titles: distinct slugs
        Learning,
        title=title,
        kind=kind,
        summary=summary,
        body=body,
        author=author,
        status=ContentStatus.PENDING,
    )
    learning.technologies.set(techs)
    events.publish(events.EventKind.LEARNING_ADDED, obj=learning)  # its author, moderators
    return learning


@transaction.atomic
def update_learning(
    *,
    viewer: Viewer,
    learning_id,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
    technologies: list[str] | None = None,
) -> Learning:
    """The author's or a moderator's edit; the old text becomes a revision. An author's edit
    of a PUBLISHED learning sends it back to PENDING until a moderator publishes it again."""
    learning = get_visible_or_not_found(Learning, viewer, learning_id)
    require_can_edit(viewer, learning)
    checks = Checks()
    title = checks.text("title", title, max_length=TITLE_MAX, partial=True)
    summary = checks.text("summary", summary, max_length=SUMMARY_MAX, required=False)
    body = checks.markdown("body", body, partial=True)
    techs = get_technologies_by_slug(technologies, checks) if technologies is not None else None
    checks.raise_if_any()
    learning = Learning.objects.select_for_update().get(pk=learning.pk)
    changed = revise_content(learning, require_contributor(viewer), title, body)
    if summary is not None and summary != learning.summary:
        learning.summary = summary
        changed.append("summary")
    changed += set_technologies(learning, techs)
    send_back_to_review(learning, viewer, changed)
    if changed:
        learning.save()
    return learning
