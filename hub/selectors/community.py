"""Reads of the community side: comment threads, votes, flags, profiles."""

from collections import defaultdict

from django.db.models import QuerySet

from hub.models import (
    Challenge,
    Comment,
    Contributor,
    Flag,
    ModerationAction,
    Revision,
    Solution,
)
from hub.permissions import Viewer, contributor_id_of, is_moderator, require_moderator
from hub.selectors.paging import ordering_of
from hub.selectors.prefetch import (
    Selection,
    related,
    visible_queryset,
    with_selection,
)


def list_thread_comments(
    *, viewer: Viewer, target: Challenge | Solution, selection: Selection | None = None
) -> list[Comment]:
    """Top-level comments of a challenge or solution, replies attached at every depth.

    The whole thread is one query (or one prefetch for a list of targets); replies
    of a comment the viewer may not see are left out with it.
    """
    roots = getattr(target, "_thread_roots", None)
    if roots is None:
        comments = list(related(target, "comments", viewer, selection))
        roots, replies, by_id = arrange_thread(
            comments, id_of=lambda c: c.pk, parent_id_of=lambda c: c.parent_id
        )
        for comment in comments:
            comment.thread_replies = replies.get(comment.pk, [])
            comment.visible_parent = by_id.get(comment.parent_id)
        target._thread_roots = roots
    return roots


def arrange_thread(comments: list, *, id_of, parent_id_of) -> tuple[list, dict, dict]:
    """The visible comments of one thread (in thread order) as (top-level comments,
    replies by comment id, comment by id). A reply whose parent the viewer may not see
    is reachable from neither, and its `parent` is null (not in `by id`)."""
    replies = defaultdict(list)
    for comment in comments:
        replies[parent_id_of(comment)].append(comment)
    roots = replies.pop(None, [])
    return roots, replies, {id_of(comment): comment for comment in comments}


def get_viewer_vote(*, viewer: Viewer, solution: Solution) -> int | None:
    """The viewer's own vote on the solution: 1, -1 or None (a vote is seen by its voter
    only, hub.permissions.visible_q)."""
    if contributor_id_of(viewer) is None:
        return None
    votes = related(solution, "votes", viewer)
    vote = next(iter(votes), None)
    return vote.value if vote is not None else None


def get_viewer_profile(*, viewer: Viewer, selection: Selection | None = None) -> Contributor | None:
    contributor_id = contributor_id_of(viewer)
    if contributor_id is None:
        return None
    return with_selection(
        Contributor.objects.filter(pk=contributor_id), Contributor, viewer, selection or {}
    ).first()


def get_revision(*, viewer: Viewer, revision_id) -> Revision | None:
    """A revision, if the viewer may see the object it belongs to."""
    revision = Revision.objects.select_related("content_type").filter(pk=_int(revision_id)).first()
    if revision is None:
        return None
    model = revision.content_type.model_class()
    if not visible_queryset(model, viewer).filter(pk=revision.object_id).exists():
        return None
    return revision


def get_own_moderation_decision(*, viewer: Viewer, decision_id) -> ModerationAction | None:
    """A moderator's decision on the viewer's own content, with that content as `target`,
    if the viewer may still see it (None otherwise: a decision on content in a hidden
    challenge says nothing to its author)."""
    own = contributor_id_of(viewer)
    decision = (
        ModerationAction.objects.select_related("content_type").filter(pk=_int(decision_id)).first()
    )
    if own is None or decision is None or decision.content_type.model_class() is None:
        return None
    target = (
        visible_queryset(decision.content_type.model_class(), viewer)
        .filter(pk=decision.object_id, author_id=own)
        .first()
    )
    if target is None:
        return None
    decision.target = target  # the generic relation, already read as the viewer
    return decision


def get_flag(*, viewer: Viewer, flag_id) -> Flag | None:
    """A flag, for moderators only (None for everyone else)."""
    if not is_moderator(viewer):
        return None
    return Flag.objects.filter(pk=_int(flag_id)).first()


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def list_flags(
    *, viewer: Viewer, open_only: bool = True, selection: Selection | None = None
) -> QuerySet:
    """Flags for moderators, newest first; open ones only unless asked."""
    require_moderator(viewer)
    flags = with_selection(Flag.objects.all(), Flag, viewer, selection or {})
    if "target" in (selection or {}):
        flags = flags.prefetch_related("target")
    if open_only:
        flags = flags.filter(resolved_at__isnull=True)
    return ordering_of(Flag).apply(flags)
