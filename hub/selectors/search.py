"""Ranked full-text search over all searchable content.

PostgreSQL: the weighted tsvector kept by a trigger, a websearch query and
ts_rank. Elsewhere: each term scored by where it appears (title 4, summary 2,
text 1) with LIKE, so results have the same shape and sensible order.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When

from hub.models import SearchDocument

_TERM = re.compile(r"[\w][\w+#.-]*", re.UNICODE)
MAX_TERMS = 8


def _terms(text: str) -> list[str]:
    return [t.lower() for t in _TERM.findall(text)][:MAX_TERMS]


def ranked_documents(text: str, *, published_only: bool = True, model=None):
    """SearchDocuments matching `text`, best first (annotated with `rank`)."""
    docs = SearchDocument.objects.all()
    if published_only:
        docs = docs.filter(is_published=True)
    if model is not None:
        docs = docs.filter(content_type=ContentType.objects.get_for_model(model))
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            docs.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-updated_at", "id")
        )
    terms = _terms(text)
    if not terms:
        return docs.none()
    matches = Q()
    score = Value(0)
    for term in terms:
        matches |= Q(title__icontains=term) | Q(summary__icontains=term) | Q(text__icontains=term)
        for field, weight in (("title", 4), ("summary", 2), ("text", 1)):
            score = score + Case(
                When(**{f"{field}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return docs.filter(matches).annotate(rank=score).order_by("-rank", "-updated_at", "id")


def matching_ids(model, text: str):
    """Primary keys of `model` rows whose document matches (a subquery)."""
    return ranked_documents(text, published_only=False, model=model).values("object_id")
