"""Reads as plain rows (`.values()` dicts) for the compiled read path (schema.compiled).

Same rows as the model reads: visibility, filters and ordering are list_content's and
get_content_by_slug's; only the columns are asked for by name, and no model instance is
built. Positions (cursors) are read from the row by the ordering's own keys.
"""

from collections.abc import Mapping, Sequence

from django.db.models import Model

from hub import kinds
from hub.permissions import Viewer
from hub.selectors.content import list_content
from hub.selectors.paging import Page, ordering_of, page_rows
from hub.selectors.prefetch import visible_queryset
from hub.services.rules import find_unstorable_error


class Row(dict):
    """A `.values()` row whose columns also read as attributes (Ordering.position_of)."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _columns(model: type[Model], columns: Sequence[str], order: str | None) -> list[str]:
    """The asked columns, plus the ordering's keys (for positions), each once."""
    keys = [key.name for key in ordering_of(model, order).keys] if order is not None else []
    return list(dict.fromkeys([model._meta.pk.name, *columns, *keys]))


def page_values(
    *,
    viewer: Viewer,
    model: type[Model],
    columns: Sequence[str],
    filters: Mapping | None = None,
    order_by: str | None = None,
    after: tuple | None = None,
    before: tuple | None = None,
    first: int | None = None,
    last: int | None = None,
    offset: int = 0,
) -> Page:
    """One page of a listed kind's list, as rows: list_content's rows, paged by page_rows."""
    order = order_by or kinds.of(model).default_order
    qs = list_content(viewer=viewer, model=model, filters=filters, order_by=order)
    qs = qs.values(*_columns(model, columns, order))
    ordering = ordering_of(model, order)
    page = page_rows(
        qs,
        ordering=ordering,
        after=after,
        before=before,
        first=first,
        last=last,
        offset=offset,
    )
    rows = page.rows = [Row(row) for row in page.rows]
    page.positions = lambda i: ordering.position_of(rows[i])
    return page


def get_values_by_slug(
    *, viewer: Viewer, model: type[Model], slug: str, columns: Sequence[str]
) -> dict | None:
    """get_content_by_slug's object, as a row of `columns`, or None."""
    if find_unstorable_error("slug", slug):
        return None
    qs = visible_queryset(model, viewer, None).filter(slug=slug)
    return qs.values(*_columns(model, columns, None)).first()
