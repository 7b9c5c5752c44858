"""Writes of challenges: submit (one or many), update with history, delete."""

from collections.abc import Mapping

from django.db import transaction
from django.utils.text import slugify

from hub.errors import ApplicationError, ErrorCode, ValidationErrors
from hub.models import Challenge, ContentStatus, Solution
from hub.permissions import Viewer, is_moderator, require_can_edit, require_contributor
from hub.services import reputation
from hub.services.lookups import (
    get_locked_or_not_found,
    get_project_by_slug,
    get_technologies_by_slug,
    get_visible_or_not_found,
)
from hub.services.revisions import revise_content
from hub.services.rules import Checks
from hub.slugs import create_with_unique_slug

TITLE_MAX = 200
BULK_MAX = 50


# The fields of a challenge's input: a bulk item is a mapping of these (absent: None).
FIELDS = ("title", "description", "project", "technologies")


def _validated(*, title, description, project, technologies, partial: bool):
    checks = Checks()
    title = checks.text("title", title, max_length=TITLE_MAX, partial=partial)
    description = checks.markdown("description", description, partial=partial)
    project = get_project_by_slug(project, checks)
    technologies = (
        get_technologies_by_slug(technologies, checks) if technologies is not None else None
    )
    checks.raise_if_any()
    return title, description, project, technologies


@transaction.atomic
def submit_challenge(
    *,
    viewer: Viewer,
    title: str | None,
    description: str | None,
    project: str | None = None,
    technologies: list[str] | None = None,
) -> Challenge:
    """A contributor's new challenge; it is public at once (moderators can hide it).

    `project` and `technologies` are slugs.
    """
    author = require_contributor(viewer)
    title, description, project, technologies = _validated(
        title=title,
        description=description,
        project=project,
        technologies=technologies,
        partial=False,
    )
    challenge = create_with_unique_slug(
        Challenge,
        title=title,
        description=description,
        project=project,
        author=author,
        status=ContentStatus.PUBLISHED,
    )
    # A new challenge has no links yet: insert them without reading any back.
    Link = Challenge.technologies.through
    Link.objects.bulk_create(Link(challenge=challenge, technology=t) for t in technologies or [])
    return challenge


def bulk_submit_challenges(
    *, viewer: Viewer, items: list[Mapping]
) -> tuple[list[Challenge], list[ApplicationError]]:
    """Create each valid item (a mapping of FIELDS); report each invalid one with its index.

    Every item is written in its own savepoint, so an item either exists whole
    or not at all. Returns (created challenges, errors).
    """
    require_contributor(viewer)
    if not items:
        raise ApplicationError(ErrorCode.REQUIRED, "Give at least one challenge.", "challenges")
    if len(items) > BULK_MAX:
        raise ApplicationError(
            ErrorCode.INVALID, f"At most {BULK_MAX} challenges at once.", "challenges"
        )
    created, errors = {}, []
    with transaction.atomic():
        # Inserted in slug order, so concurrent bulks that share titles wait on each
        # other's slugs in one order, never in a cycle (a deadlock).
        for index in sorted(range(len(items)), key=lambda i: _slug_order(items[i])):
            try:
                created[index] = submit_challenge(
                    viewer=viewer, **{name: items[index].get(name) for name in FIELDS}
                )
            except (ApplicationError, ValidationErrors) as failure:
                for error in getattr(failure, "errors", [failure]):
                    error.index = index
                    errors.append(error)
    errors.sort(key=lambda error: error.index)
    return [created[index] for index in sorted(created)], errors


def _slug_order(item: Mapping) -> str:
    title = item.get("title")
    return slugify(title) if isinstance(title, str) else ""


@transaction.atomic
def update_challenge(
    *,
    viewer: Viewer,
    challenge_id,
    title: str | None = None,
    description: str | None = None,
    project: str | None = None,
    technologies: list[str] | None = None,
) -> Challenge:
    """The author's or a moderator's edit (None: unchanged); the old text becomes a revision."""
    challenge = get_visible_or_not_found(Challenge, viewer, challenge_id)
    require_can_edit(viewer, challenge)
    challenge = get_locked_or_not_found(Challenge, challenge.pk)
    title, description, new_project, technologies = _validated(
        title=title,
        description=description,
        project=project,
        technologies=technologies,
        partial=True,
    )
    changed = revise_content(challenge, require_contributor(viewer), title, description)
    if project is not None and new_project != challenge.project:
        challenge.project = new_project
        changed.append("project")
    if changed:
        challenge.save()
    if technologies is not None:
        challenge.technologies.set(technologies)
    return challenge


@transaction.atomic
def delete_challenge(*, viewer: Viewer, challenge_id) -> int:
    """Delete a challenge; its author may only while nobody else has answered it."""
    challenge = get_visible_or_not_found(Challenge, viewer, challenge_id)
    require_can_edit(viewer, challenge)
    # The challenge, then its solutions: no answer, vote or comment can arrive in between,
    # and of concurrent deletes one withdraws the reputation, the others get NOT_FOUND.
    challenge = get_locked_or_not_found(Challenge, challenge.pk)
    solutions = list(
        Solution.objects.select_for_update().filter(challenge=challenge).order_by("pk")
    )
    if not is_moderator(viewer) and any(s.author_id != challenge.author_id for s in solutions):
        raise ApplicationError(
            ErrorCode.NOT_ALLOWED,
            "Others have answered this challenge; it cannot be deleted.",
            "id",
        )
    reputation.withdraw_solution_reputation(solutions)
    pk = challenge.pk
    challenge.delete()
    return pk
