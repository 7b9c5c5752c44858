"""Reads of the hub: what a viewer may see, filtered, ordered and prefetched."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Model

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
from hub.selectors import filters as filtersets
from hub.selectors.prefetch import (
    Selection,
    annotate_for,
    visible_queryset,
    with_selection,
)
from hub.selectors.search import ranked_documents
from hub.services.rules import unstorable_error

SEARCH_MAX_RESULTS = 100


def content_list(model, viewer, *, filters: Mapping | None = None, order_by=None, selection=None):
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
    if any(unstorable_error(k, v) for k, v in data.items()):
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
    order = order_by or kind.default_order
    if order not in kind.orderings:
        raise ApplicationError(ErrorCode.INVALID, f"Unknown order {order!r}.", field="order_by")
    ordering = kind.orderings[order]
    for name, (annotation, _) in kind.annotations.items():
        # An ordering on a computed column needs it, selected or not.
        if any(key.lstrip("-") == annotation for key in ordering) and name not in selection:
            qs = annotate_for(qs, model, name)
    return qs.order_by(*ordering)


def get_by_slug(model, viewer, slug: str, selection=None):
    """One visible object by slug, or None."""
    return visible_queryset(model, viewer, selection).filter(slug=slug).first()


def get_visible(model, viewer, pk, selection=None):
    """One visible object by primary key, or None (node() and mutation lookups)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return visible_queryset(model, viewer, selection).filter(pk=pk).first()


def visible_in_order(model, viewer, pks, selection=None) -> list:
    """The visible rows with these primary keys, in that order, loaded for `selection`."""
    rows = visible_queryset(model, viewer, selection).in_bulk(list(pks))
    return [rows[pk] for pk in pks if pk in rows]


def contributor_by_username(username: str, selection=None, *, viewer=None):
    """A contributor by username, or None.

    Their challenges, solutions and learnings are loaded as `viewer` may see them
    (None: as an anonymous viewer).
    """
    user_model = get_user_model()
    return (
        with_selection(Contributor.objects.all(), Contributor, viewer, selection or {})
        .filter(**{f"user__{user_model.USERNAME_FIELD}": username})
        .first()
    )


def solution_count(challenge: Challenge) -> int:
    value = getattr(challenge, kinds.of(Challenge).annotations["solution_count"][0], None)
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


def hub_stats() -> HubStats:
    published = ContentStatus.PUBLISHED
    return HubStats(
        technologies=Technology.objects.count(),
        learnings=Learning.objects.filter(status=published).count(),
        projects=Project.objects.count(),
        challenges=Challenge.objects.filter(status=published).count(),
        solutions=Solution.objects.filter(status=published, challenge__status=published).count(),
        contributors=Contributor.objects.count(),
    )


def search(viewer, text: str, *, limit: int = 20, selection: Selection | None = None) -> list:
    """Published objects of every searchable kind matching `text`, best first.

    `selection` is what results need loaded; each kind uses the part it has.
    """
    text = (text or "").strip()
    if not text:
        raise ApplicationError(ErrorCode.REQUIRED, "Search query must not be empty.", "query")
    if len(text) > 200:
        raise ApplicationError(ErrorCode.TOO_LONG, "Search query is over 200 characters.", "query")
    if limit is None or not 1 <= limit <= SEARCH_MAX_RESULTS:
        raise ApplicationError(
            ErrorCode.INVALID, f"first must be between 1 and {SEARCH_MAX_RESULTS}.", "first"
        )
    documents = list(
        (_SEARCHABLE[model_name], object_id)
        for model_name, object_id in ranked_documents(text).values_list(
            "content_type__model", "object_id"
        )[:limit]
    )
    ids_by_model: dict[type[Model], list[int]] = {}
    for model, object_id in documents:
        ids_by_model.setdefault(model, []).append(object_id)
    loaded = {}
    for model, ids in ids_by_model.items():
        for obj in visible_queryset(model, viewer, selection).filter(pk__in=ids):
            loaded[(model, obj.pk)] = obj
    return [loaded[key] for key in documents if key in loaded]


_SEARCHABLE = {model._meta.model_name: model for model in kinds.searchable()}
