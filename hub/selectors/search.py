"""Ranked search over all searchable content, the same on SQLite and PostgreSQL.

A query is split into words (at most MAX_TERMS); a document matches when every word
occurs in its title, summary or text, as a substring, in any case: the index keeps its
text in lower case (hub.search_index, Python's str.lower) and so are the words, so the
database compares plain strings.
Its rank is, summed over the words, 4 if the word is in the title, 2 in the summary and
1 in the text; ties go to the most recently updated, then the oldest row. Plain LIKE
and CASE: both databases compute exactly the same matches, ranks and order.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Q, Value, When

from hub.models import SearchDocument
from hub.selectors.paging import Ordering

_TERM = re.compile(r"[\w][\w+#.-]*", re.UNICODE)
MAX_TERMS = 8
_WEIGHTS = (("title", 4), ("summary", 2), ("text", 1))

# Best first: the rank annotation, then recency, then the row (a position per row).
SEARCH_ORDERING = Ordering.of(SearchDocument, ("-rank", "-updated_at", "id"))


def search_terms(text: str) -> list[str]:
    """The words a query searches for, folded, each once, in order."""
    return list(dict.fromkeys(t.lower() for t in _TERM.findall(text or "")))[:MAX_TERMS]


def ranked_documents(text: str, *, published_only: bool = True, model=None):
    """SearchDocuments matching every word of `text`, best first (annotated with `rank`)."""
    docs = SearchDocument.objects.all()
    if published_only:
        docs = docs.filter(is_published=True)
    if model is not None:
        docs = docs.filter(content_type=ContentType.objects.get_for_model(model))
    terms = search_terms(text)
    score = Value(0)
    if not terms:  # nothing to match ("", ":"): no rows, still orderable and pageable by rank
        return SEARCH_ORDERING.apply(docs.none().annotate(rank=score))
    for term in terms:
        docs = docs.filter(
            Q(title__contains=term) | Q(summary__contains=term) | Q(text__contains=term)
        )
        for field, weight in _WEIGHTS:
            score = score + Case(
                When(**{f"{field}__contains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return SEARCH_ORDERING.apply(docs.annotate(rank=score))


def matching_ids(model, text: str):
    """Primary keys of `model` rows whose document matches (a subquery)."""
    return ranked_documents(text, published_only=False, model=model).values("object_id")
