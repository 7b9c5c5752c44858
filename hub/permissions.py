"""Who may see and do what: declared once, used by selectors and services."""

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from hub import kinds
from hub.errors import ApplicationError, ErrorCode
from hub.models import ContentStatus

MODERATORS_GROUP = "moderators"

# Who a selector or service acts for: a signed-in user, or anonymous where reading is public.
Viewer = AbstractBaseUser | AnonymousUser


def is_moderator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_hub_is_moderator", None)
    if cached is None:
        cached = user.is_staff or user.groups.filter(name=MODERATORS_GROUP).exists()
        user._hub_is_moderator = cached
    return cached


def get_viewer_by_username(username: str):
    """The active-or-not user with this username (None if none), loaded to be a request's
    viewer: their contributor profile and whether they moderate come in the same
    statement, so a signed-in request costs one statement more than an anonymous one.
    (django-graphql-jwt's JWT_GET_USER_BY_NATURAL_KEY_HANDLER; it refuses inactive users.)"""
    user_model = get_user_model()
    moderates = Exists(
        user_model.groups.through.objects.filter(
            **{f"{user_model._meta.model_name}_id": OuterRef("pk")}, group__name=MODERATORS_GROUP
        )
    )
    user = (
        user_model._default_manager.select_related("contributor")
        .annotate(_moderates=moderates)
        .filter(**{user_model.USERNAME_FIELD: username})
        .first()
    )
    if user is not None:
        user._hub_is_moderator = user.is_staff or user._moderates
    return user


def contributor_of(user):
    """The signed-in user's Contributor profile, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "contributor", None)


def contributor_id_of(user) -> int | None:
    contributor = contributor_of(user)
    return contributor.pk if contributor else None


def visibility_models(model) -> list:
    """`model` and the models its rows' visibility depends on (their containers)."""
    models = [model]
    for relation in kinds.of(model).containers:
        models += visibility_models(model._meta.get_field(relation).related_model)
    return models


def visible_q(user, model, prefix: str = "") -> Q:
    """Rows of `model` that `user` may see, whatever path reaches them.

    Moderated content: published or the user's own, and inside content (its containers) the
    user may see, so an author's own solution on a hidden challenge stays hidden with it.
    Moderators see everything of it. A private row (a vote) is seen by its contributor
    only, moderators included. Other models are public. An empty Q means no filter.
    """
    kind = kinds.of(model)
    if kind.private_to:
        own = contributor_id_of(user)
        return Q(**{f"{prefix}{kind.private_to}_id": own}) if own else Q(**{f"{prefix}pk__in": []})
    if not kind.moderated or is_moderator(user):
        return Q()
    rule = Q(**{f"{prefix}status": ContentStatus.PUBLISHED})
    own = contributor_id_of(user)
    if own is not None:
        rule |= Q(**{f"{prefix}author_id": own})
    containers = kind.containers
    inside = Q()
    for relation in containers:
        container = model._meta.get_field(relation).related_model
        held = visible_q(user, container, f"{prefix}{relation}__")
        if len(containers) > 1:  # the one relation that is set
            held = Q(**{f"{prefix}{relation}__isnull": False}) & held
        inside |= held
    return rule & inside


def is_container(model, relation: str) -> bool:
    """Whether `relation` of `model` holds it: a visible row's target is visible too."""
    return relation in kinds.of(model).containers


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
