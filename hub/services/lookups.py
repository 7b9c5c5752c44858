"""Finding the objects an input names, as the acting viewer may see them."""

from django.db.models import Model

from hub.errors import ApplicationError, ErrorCode
from hub.models import Project, Technology
from hub.permissions import Viewer
from hub.selectors import get_content


def get_visible_or_not_found(model: type[Model], viewer: Viewer, pk, field: str = "id") -> Model:
    obj = get_content(model=model, viewer=viewer, pk=pk)
    if obj is None:
        name = model._meta.verbose_name
        raise ApplicationError(ErrorCode.NOT_FOUND, f"No {name} with this id.", field)
    return obj


def get_locked_or_not_found(model: type[Model], pk, field: str = "id", *, no_key=False) -> Model:
    """The row, locked until the transaction ends; NOT_FOUND if it is gone by then.

    Call it after `get_visible_or_not_found`, inside the writing transaction: a concurrent
    delete that commits first makes this NOT_FOUND instead of a write on a missing row.
    `no_key` (FOR NO KEY UPDATE): enough to keep the row from being deleted while children
    are attached to it.
    """
    obj = model.objects.select_for_update(no_key=no_key).filter(pk=pk).first()
    if obj is None:
        name = model._meta.verbose_name
        raise ApplicationError(ErrorCode.NOT_FOUND, f"No {name} with this id.", field)
    return obj


def get_technologies_by_slug(slugs, checks) -> list[Technology]:
    """The named technologies; unknown slugs are reported on `checks`."""
    field = "technologies"
    slugs = list(dict.fromkeys(s.strip() for s in slugs or [] if s and s.strip()))
    if not all(checks.storable(field, s) for s in slugs):
        return []
    if len(slugs) > 10:
        checks.fail(ErrorCode.INVALID, field, "At most 10 technologies.")
        return []
    found = {t.slug: t for t in Technology.objects.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        checks.fail(ErrorCode.NOT_FOUND, field, f"Unknown technology: {', '.join(unknown)}.")
    return [found[s] for s in slugs if s in found]


def get_project_by_slug(slug, checks) -> Project | None:
    field = "project"
    if not slug or not checks.storable(field, slug):
        return None
    project = Project.objects.filter(slug=slug.strip()).first()
    if project is None:
        checks.fail(ErrorCode.NOT_FOUND, field, f"Unknown project: {slug}.")
    return project
