"""Reads of the hub: what a viewer may see, filtered, ordered and prefetched."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet

from hub import kinds
from hub.errors import ApplicationError, ErrorCode
from hub.models import (
    Challenge,
    ContentStatus,
    Contributor,
    Learning,
    Project,
    Solution,
    Technology,
)
from hub.permissions import Viewer
from hub.selectors import filters as filtersets
from hub.selectors.paging import Page, ordering_of, page_rows
from hub.selectors.prefetch import (
    Selection,
    annotate_for,
    visible_queryset,
    with_selection,
)
from hub.selectors.search import SEARCH_ORDERING, ranked_documents
from hub.services.rules import find_unstorable_error

SEARCH_MAX_RESULTS = 100


def list_content(
    *,
    viewer: Viewer,
    model: type[Model],
    filters: Mapping | None = None,
    order_by: str | None = None,
    selection: Selection | None = None,
) -> QuerySet:
    """The visible rows of a listed kind (hub.kinds), filtered by its FilterSet and ordered.

    `filters` maps filter names of the kind's FilterSet to typed values; None means
    "not filtering on this". Unknown names and invalid values are INVALID errors.
    """
    kind = kinds.of(model)
    if kind.filterset is None:
        raise ValueError(f"{model.__name__} has no list")
    selection = selection or {}
    qs = visible_queryset(model, viewer, selection)
    data = {k: v for k, v in (filters or {}).items() if v is not None}
    if any(find_unstorable_error(k, v) for k, v in data.items()):
        return qs.none()  # text no database can store matches nothing stored
    filterset_class = getattr(filtersets, kind.filterset)
    unknown = sorted(set(data) - set(filterset_class.base_filters))
    if unknown:
        raise ApplicationError(ErrorCode.INVALID, f"Unknown filter {unknown[0]!r}.", unknown[0])
    filterset = filterset_class(data=data, queryset=qs, viewer=viewer)
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise ApplicationError(ErrorCode.INVALID, f"{field}: {' '.join(messages)}", field=field)
    qs = filterset.qs
    ordering = ordering_of(model, order_by or kind.default_order)
    for name in kind.annotations:
        # An ordering on a computed column needs it, selected or not.
        if any(key.name == name for key in ordering.keys) and name not in selection:
            qs = annotate_for(qs, model, name)
    return ordering.apply(qs)


def get_content_by_slug(
    *, viewer: Viewer, model: type[Model], slug: str, selection: Selection | None = None
) -> Model | None:
    """One visible object by slug, or None."""
    if find_unstorable_error("slug", slug):
        return None  # a slug no database can store is nothing's (PostgreSQL refuses NUL)
    return visible_queryset(model, viewer, selection).filter(slug=slug).first()


def get_content(
    *, viewer: Viewer, model: type[Model], pk, selection: Selection | None = None
) -> Model | None:
    """One visible object by primary key, or None (node() and mutation lookups)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return visible_queryset(model, viewer, selection).filter(pk=pk).first()


def list_content_in_order(
    *, viewer: Viewer, model: type[Model], pks: list[int], selection: Selection | None = None
) -> list:
    """The visible rows with these primary keys, in that order, loaded for `selection`."""
    rows = visible_queryset(model, viewer, selection).in_bulk(list(pks))
    return [rows[pk] for pk in pks if pk in rows]


def get_contributor_by_username(
    *, viewer: Viewer, username: str, selection: Selection | None = None
) -> Contributor | None:
    """A contributor by username, or None; their content loaded as `viewer` may see it."""
    if find_unstorable_error("username", username):
        return None  # a name no database can store is nobody's (PostgreSQL refuses NUL)
    user_model = get_user_model()
    return (
        with_selection(Contributor.objects.all(), Contributor, viewer, selection or {})
        .filter(**{f"user__{user_model.USERNAME_FIELD}": username})
        .first()
    )


def count_published_solutions(*, challenge: Challenge) -> int:
    """Published solutions of the challenge (the same for every viewer)."""
    value = getattr(challenge, "published_solution_count", None)
    if value is None:
        value = challenge.solutions.filter(status=ContentStatus.PUBLISHED).count()
    return value


@dataclass(frozen=True)
class HubStats:
    technologies: int
    learnings: int
    projects: int
    challenges: int
    solutions: int
    contributors: int


def get_hub_stats() -> HubStats:
    published = ContentStatus.PUBLISHED
    return HubStats(
        technologies=Technology.objects.count(),
        learnings=Learning.objects.filter(status=published).count(),
        projects=Project.objects.count(),
        challenges=Challenge.objects.filter(status=published).count(),
        solutions=Solution.objects.filter(status=published, challenge__status=published).count(),
        contributors=Contributor.objects.count(),
    )


def search_content(
    *, viewer: Viewer, text: str, limit: int = 20, selection: Selection | None = None
) -> list:
    """Published objects of every searchable kind matching `text`, best first.

    `selection` is what results need loaded; each kind uses the part it has.
    """
    if limit is None or not 1 <= limit <= SEARCH_MAX_RESULTS:
        raise ApplicationError(
            ErrorCode.INVALID, f"first must be between 1 and {SEARCH_MAX_RESULTS}.", "first"
        )
    documents = _search_documents(text)
    rows = documents.values_list("content_type__model", "object_id")[:limit]
    return [obj for obj, _ in _load_results(viewer, list(rows), selection)]


def page_search_results(
    *,
    viewer: Viewer,
    text: str,
    selection: Selection | None = None,
    after: tuple | None = None,
    before: tuple | None = None,
    first: int | None = None,
    last: int | None = None,
    offset: int = 0,
) -> Page:
    """One page of search_content's results, in SEARCH_ORDERING (keyset positions)."""
    documents = _search_documents(text).select_related("content_type")
    page = page_rows(
        documents,
        ordering=SEARCH_ORDERING,
        after=after,
        before=before,
        first=first,
        last=last,
        offset=offset,
    )
    keys = [(doc.content_type.model, doc.object_id) for doc in page.rows]
    found = _load_results(viewer, keys, selection)
    positions = [SEARCH_ORDERING.position_of(page.rows[i]) for _, i in found]
    return Page(
        rows=[obj for obj, _ in found],
        positions=positions.__getitem__,
        has_previous=page.has_previous,
        has_next=page.has_next,
        total=page.total,
    )


def _search_documents(text: str) -> QuerySet:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(ErrorCode.REQUIRED, "Search query must not be empty.", "query")
    if len(text) > 200:
        raise ApplicationError(ErrorCode.TOO_LONG, "Search query is over 200 characters.", "query")
    return ranked_documents(text)


def _load_results(viewer, documents: list, selection) -> list[tuple[Model, int]]:
    """(object, index in `documents`) for the (model name, id) pairs the viewer may see,
    loaded for `selection`: one query per kind."""
    ids_by_model: dict[type[Model], list[int]] = {}
    for model_name, object_id in documents:
        ids_by_model.setdefault(_SEARCHABLE[model_name], []).append(object_id)
    loaded = {}
    for model, ids in ids_by_model.items():
        for obj in visible_queryset(model, viewer, selection).filter(pk__in=ids):
            loaded[(model._meta.model_name, obj.pk)] = obj
    return [(loaded[key], i) for i, key in enumerate(documents) if key in loaded]


_SEARCHABLE = {model._meta.model_name: model for model in kinds.searchable()}
