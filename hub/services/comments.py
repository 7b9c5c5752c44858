from django.db import transaction

from hub.errors import ApplicationError, ErrorCode
from hub.models import Challenge, Comment, ContentStatus, Solution
from hub.permissions import require_contributor
from hub.services.lookups import locked_or_not_found, visible_or_not_found
from hub.services.rules import Checks

COMMENT_MAX = 5_000


@transaction.atomic
def add_comment(viewer, *, target: Challenge | Solution | None, parent_id=None, body) -> Comment:
    """Comment on a challenge or a solution, or reply to a comment of its thread."""
    author = require_contributor(viewer)
    if target is None:
        raise ApplicationError(
            ErrorCode.NOT_FOUND, "No challenge or solution with this id.", "target_id"
        )
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
    target = locked_or_not_found(type(target), target.pk, "target_id", no_key=True)
    return Comment.objects.create(author=author, parent=parent, body=body, **_target_filter(target))


def _target_filter(target) -> dict:
    return {"challenge": target} if isinstance(target, Challenge) else {"solution": target}


def find_target(viewer, model, pk):
    """The challenge or solution a comment goes on, if the viewer may see it."""
    return visible_or_not_found(model, viewer, pk, "target_id")
