"""Who may see and do what: declared once, used by selectors and services."""

from django.db.models import Q

from hub.errors import ApplicationError, ErrorCode
from hub.models import ContentStatus

MODERATORS_GROUP = "moderators"


def is_moderator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_hub_is_moderator", None)
    if cached is None:
        cached = user.is_staff or user.groups.filter(name=MODERATORS_GROUP).exists()
        user._hub_is_moderator = cached
    return cached


def contributor_of(user):
    """The signed-in user's Contributor profile, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "contributor", None)


def contributor_id_of(user) -> int | None:
    contributor = contributor_of(user)
    return contributor.pk if contributor else None


def visible_q(user, prefix: str = "", *, via_challenge: bool = False) -> Q:
    """Rows of moderated content `user` may see: published, their own, or all for moderators.

    `via_challenge` (solutions): a solution is public only while its challenge is.
    """
    if is_moderator(user):
        return Q()
    published = Q(**{f"{prefix}status": ContentStatus.PUBLISHED})
    if via_challenge:
        published &= Q(**{f"{prefix}challenge__status": ContentStatus.PUBLISHED})
    own = contributor_id_of(user)
    if own is None:
        return published
    return published | Q(**{f"{prefix}author_id": own})


def require_contributor(user):
    """The acting contributor; UNAUTHENTICATED for anonymous callers."""
    require_signed_in(user)
    return user.contributor


def require_moderator(user) -> None:
    require_signed_in(user)
    if not is_moderator(user):
        raise ApplicationError(ErrorCode.FORBIDDEN, "Only moderators may do this.")


def require_signed_in(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise ApplicationError(ErrorCode.UNAUTHENTICATED, "Sign in to do this.")


def can_edit(user, obj) -> bool:
    """Authors edit and delete their own content; moderators anyone's."""
    return is_moderator(user) or (
        obj.author_id is not None and obj.author_id == contributor_id_of(user)
    )


def require_can_edit(user, obj) -> None:
    require_signed_in(user)
    if not can_edit(user, obj):
        raise ApplicationError(
            ErrorCode.FORBIDDEN, "Only its author or a moderator may change this."
        )
