"""Curated links: submitted by contributors, published by moderators, one per page."""

from django.db import IntegrityError, transaction

from hub.errors import ApplicationError, ErrorCode
from hub.models import ContentStatus, Resource, ResourceKind, normalized_url
from hub.permissions import Viewer, require_can_edit, require_contributor
from hub.selectors import get_content
from hub.services.lookups import get_technologies_by_slug, get_visible_or_not_found
from hub.services.revisions import revise_content, send_back_to_review, set_technologies
from hub.services.rules import Checks
from hub.slugs import create_with_unique_slug

TITLE_MAX = 200
URL_MAX = 2000


@transaction.atomic
def submit_resource(
    *,
    viewer: Viewer,
    title: str | None,
    url: str | None,
    kind: str | None,
    summary: str | None,
    technologies: list[str] | None = None,
) -> Resource:
    """A contributor's link enters PENDING: only its author and moderators see it."""
    author = require_contributor(viewer)
    checks = Checks()
    title = checks.text("title", title, max_length=TITLE_MAX)
    url, page = _checked_url(checks, url, partial=False)
    kind = checks.choice("kind", kind, ResourceKind)
    summary = checks.markdown("summary", summary)
    techs = get_technologies_by_slug(technologies, checks)
    checks.raise_if_any()
    _refuse_duplicate(viewer, page)
    try:
        resource = create_with_unique_slug(  # concurrent equal titles: distinct slugs
            Resource,
            title=title,
            url=url,
            kind=kind,
            summary=summary,
            author=author,
            status=ContentStatus.PENDING,
        )
    except IntegrityError:
        # The same page submitted at the same moment: the database kept the first.
        _refuse_duplicate(viewer, page)
        raise
    resource.technologies.set(techs)
    return resource


@transaction.atomic
def update_resource(
    *,
    viewer: Viewer,
    resource_id,
    title: str | None = None,
    url: str | None = None,
    kind: str | None = None,
    summary: str | None = None,
    technologies: list[str] | None = None,
) -> Resource:
    """The author's or a moderator's edit; the old title and summary become a revision.
    An author's edit of a PUBLISHED resource sends it back to review."""
    resource = get_visible_or_not_found(Resource, viewer, resource_id)
    require_can_edit(viewer, resource)
    checks = Checks()
    title = checks.text("title", title, max_length=TITLE_MAX, partial=True)
    url, page = _checked_url(checks, url, partial=True)
    kind = checks.choice("kind", kind, ResourceKind, required=False)
    summary = checks.markdown("summary", summary, partial=True)
    techs = get_technologies_by_slug(technologies, checks) if technologies is not None else None
    checks.raise_if_any()
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    changed = revise_content(resource, require_contributor(viewer), title, summary)
    if url is not None and url != resource.url:
        if page != resource.normalized_url:  # another page, not this one written otherwise
            _refuse_duplicate(viewer, page)
        resource.url = url
        changed.append("url")
    if kind is not None and kind != resource.kind:
        resource.kind = kind
        changed.append("kind")
    changed += set_technologies(resource, techs)
    send_back_to_review(resource, viewer, changed)
    if changed:
        try:
            with transaction.atomic():
                resource.save()
        except IntegrityError:
            _refuse_duplicate(viewer, resource.normalized_url)
            raise
    return resource


def _checked_url(checks: Checks, url, *, partial: bool) -> tuple[str | None, str | None]:
    """(the URL as given, stripped; its normalized form), or Nones once reported."""
    url = checks.text("url", url, max_length=URL_MAX, partial=partial, label="URL")
    if not url:
        return None, None
    try:
        return url, normalized_url(url)
    except ValueError as error:
        checks.fail(ErrorCode.INVALID, "url", str(error))
        return None, None


def _refuse_duplicate(viewer, page: str) -> None:
    """DUPLICATE naming the resource this page already has, if the viewer may see it."""
    existing = Resource.objects.filter(normalized_url=page).values_list("pk", flat=True).first()
    if existing is None:
        return
    shown = get_content(model=Resource, viewer=viewer, pk=existing)
    if shown is None:  # someone else's, not public yet: say no more than that it exists
        message = "This page was submitted already and is awaiting review."
    else:
        message = f'This page is already a resource: "{shown.title}" ({shown.slug}).'
    raise ApplicationError(ErrorCode.DUPLICATE, message, "url")
