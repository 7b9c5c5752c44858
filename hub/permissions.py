"""Who may see and do what: declared once, used by selectors and services."""

from django.db.models import Q

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


def contributor_id_of(user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    contributor = getattr(user, "contributor", None)
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
