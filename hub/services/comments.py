from django.db import transaction

from hub import events
from hub.errors import ApplicationError, ErrorCode
from hub.models import Challenge, Comment, ContentStatus, Solution
from hub.permissions import Viewer, require_contributor
from hub.services.lookups import get_locked_or_not_found, get_visible_or_not_found
from hub.services.rules import Checks

COMMENT_MAX = 5_000


@transaction.atomic
def add_comment(
    *,
    viewer: Viewer,
    target_model: type[Challenge] | type[Solution],
    target_id,
    parent_id=None,
    body: str | None,
) -> Comment:
    """Comment on a challenge or a solution the viewer may see, or reply to a comment of
    its thread."""
    author = require_contributor(viewer)
    if target_model not in (Challenge, Solution):
        raise ApplicationError(
            ErrorCode.INVALID, "Comment on a challenge or a solution.", "target_id"
        )
    target = get_visible_or_not_found(target_model, viewer, target_id, "target_id")
    checks = Checks()
    body = checks.text("body", body, max_length=COMMENT_MAX)
    parent = None
    if parent_id is not None:
        parent = (
            Comment.objects.filter(pk=parent_id, status=ContentStatus.PUBLISHED)
            .filter(**_target_filter(target))
            .first()
        )
        if parent is None:
            checks.fail(ErrorCode.NOT_FOUND, "parent_id", "No comment with this id in this thread.")
    checks.raise_if_any()
    # Kept from being deleted until the comment is in (a concurrent delete: NOT_FOUND).
    target = get_locked_or_not_found(type(target), target.pk, "target_id", no_key=True)
    comment = Comment.objects.create(
        author=author, parent=parent, body=body, **_target_filter(target)
    )
    events.publish(events.EventKind.COMMENT_ADDED, scope=target, obj=comment)
    return comment


def _target_filter(target) -> dict:
    return {"challenge": target} if isinstance(target, Challenge) else {"solution": target}
