"""Moderation: publish/reject/hide with a logged reason, flags, revision restores."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from hub import events, kinds
from hub.errors import ApplicationError, ErrorCode
from hub.models import (
    ContentStatus,
    Flag,
    FlagReason,
    Learning,
    ModerationAction,
    ModerationActionKind,
    Revision,
)
from hub.permissions import Viewer, require_contributor, require_moderator
from hub.services.lookups import get_visible_or_not_found
from hub.services.revisions import get_revised_fields, revise_content
from hub.services.rules import Checks

_STATUS_AFTER = {
    ModerationActionKind.PUBLISH: ContentStatus.PUBLISHED,
    ModerationActionKind.REJECT: ContentStatus.REJECTED,
    ModerationActionKind.HIDE: ContentStatus.HIDDEN,
}
REASON_MAX = 1_000
# The actions a client asks for (the others are recorded by the services themselves).
CLIENT_ACTIONS = tuple(action.value for action in _STATUS_AFTER)


def _log(moderator, target, action, reason="", from_status="", to_status=""):
    return ModerationAction.objects.create(
        moderator=moderator,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        action=action,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
    )


@transaction.atomic
def moderate_content(
    *,
    viewer: Viewer,
    model: type[Model],
    object_id,
    action: str | None,
    reason: str | None = None,
) -> Model:
    """PUBLISH, REJECT or HIDE a piece of content; REJECT and HIDE need a reason."""
    require_moderator(viewer)
    if not kinds.of(model).moderated:
        raise ApplicationError(ErrorCode.INVALID, "This kind of object is not moderated.", "id")
    target = model.objects.select_for_update().filter(pk=object_id).first()
    if target is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "Nothing to moderate with this id.", "id")
    checks = Checks()
    action = checks.choice("action", action, ModerationActionKind)
    if action not in _STATUS_AFTER:
        checks.fail(ErrorCode.INVALID, "action", "Use PUBLISH, REJECT or HIDE.")
    needs_reason = action in (ModerationActionKind.REJECT, ModerationActionKind.HIDE)
    reason = checks.text(
        "reason", reason, max_length=REASON_MAX, required=needs_reason, partial=not needs_reason
    )
    checks.raise_if_any()
    previous = target.status
    target.status = _STATUS_AFTER[action]
    target.save()
    decision = _log(viewer, target, action, reason or "", previous, target.status)
    if target.author_id is not None:
        events.publish(events.EventKind.MODERATION_DECIDED, scope=target.author, obj=decision)
    if isinstance(target, Learning) and target.status == ContentStatus.PUBLISHED:
        events.publish(events.EventKind.LEARNING_ADDED, obj=target)
    return target


@transaction.atomic
def flag_content(
    *,
    viewer: Viewer,
    model: type[Model],
    object_id,
    reason: str | None,
    note: str | None = None,
) -> Flag:
    """Report content for moderators; once per contributor and object."""
    reporter = require_contributor(viewer)
    if not kinds.of(model).moderated:  # what moderators decide on, contributors flag
        raise ApplicationError(ErrorCode.INVALID, "This kind of object cannot be flagged.", "id")
    target = get_visible_or_not_found(model, viewer, object_id)
    checks = Checks()
    reason = checks.choice("reason", reason, FlagReason)
    note = checks.text("note", note, max_length=REASON_MAX, required=False) or ""
    if target.author_id == reporter.pk:
        checks.fail(ErrorCode.NOT_ALLOWED, "id", "You cannot flag your own content.")
    checks.raise_if_any()
    content_type = ContentType.objects.get_for_model(target)
    duplicate = ApplicationError(ErrorCode.DUPLICATE, "You have already flagged this.", "id")
    if Flag.objects.filter(
        reporter=reporter, content_type=content_type, object_id=target.pk
    ).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return Flag.objects.create(
                reporter=reporter,
                content_type=content_type,
                object_id=target.pk,
                reason=reason,
                note=note,
            )
    except IntegrityError:  # a concurrent flag by the same reporter won
        raise duplicate from None


@transaction.atomic
def resolve_flag(*, viewer: Viewer, flag_id, note: str | None = None) -> Flag:
    require_moderator(viewer)
    checks = Checks()
    note = checks.text("note", note, max_length=REASON_MAX, required=False)
    checks.raise_if_any()
    flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
    if flag is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "No flag with this id.", "id")
    if flag.resolved_at is None:
        flag.resolved_at = timezone.now()
        flag.resolved_by = viewer
        flag.save(update_fields=["resolved_at", "resolved_by"])
        # Logged by reference, not via flag.target: the content may have been deleted since.
        ModerationAction.objects.create(
            moderator=viewer,
            content_type_id=flag.content_type_id,
            object_id=flag.object_id,
            action=ModerationActionKind.RESOLVE_FLAG,
            reason=note or "",
        )
    return flag


@transaction.atomic
def restore_revision(*, viewer: Viewer, revision_id) -> Model:
    """Put a revision's text back; the text it replaces becomes a revision too."""
    require_moderator(viewer)
    revision = Revision.objects.select_related("content_type").filter(pk=revision_id).first()
    if revision is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "No revision with this id.", "id")
    model = revision.content_type.model_class()
    target = model.objects.select_for_update().filter(pk=revision.object_id).first()
    if target is None or get_revised_fields(model) is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, "Its content no longer exists.", "id")
    title_field, _ = get_revised_fields(model)
    if revise_content(
        target, require_contributor(viewer), revision.title if title_field else None, revision.body
    ):
        target.save()
    _log(viewer, target, ModerationActionKind.RESTORE_REVISION, f"Restored revision {revision.pk}")
    return target
