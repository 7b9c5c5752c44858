"""Search matches and ranks the same way on every database.

One corpus, one table of queries and their exact results: this module runs in the
SQLite suite and in the PostgreSQL one (`.ci/run`), so both databases must give these
very answers. Every word must match (a substring of the title, summary or text, ASCII
in any case); rank is 4 per word in the title, 2 in the summary, 1 in the text;
ties go to the most recently updated.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from hub import selectors
from hub.models import SearchDocument, Solution
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import day

ANONYMOUS = AnonymousUser()


@pytest.fixture
def corpus(db):
    author = ContributorFactory()
    made = [
        TechnologyFactory(name="PostgreSQL", summary="Relational database.", learned="MVCC."),
        TechnologyFactory(name="Redis", summary="In-memory cache.", learned="TTLs and LRU."),
        LearningFactory(
            title="Cache invalidation", summary="Versions in Redis.", body="No TTL.", author=author
        ),
        LearningFactory(
            title="N+1 queries",
            summary="Prefetching fixes them.",
            body="Use Prefetch.",
            author=author,
        ),
        LearningFactory(
            title="Über-fast pages",
            summary="Keyset paging.",
            body="snake_case cursors",
            author=author,
        ),
        ProjectFactory(title="Nexus hub", summary="GraphQL API.", description="Django and Redis."),
        ChallengeFactory(
            title="Slow GraphQL lists", description="N+1 queries on every page.", author=author
        ),
    ]
    challenge = made[-1]
    made.append(
        SolutionFactory(
            challenge=challenge, body="Prefetch with Django, cache in REDIS.", author=author
        )
    )
    # A fixed recency (the index's updated_at), oldest first in the order above.
    for n, obj in enumerate(made):
        SearchDocument.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).update(updated_at=day(1) + timedelta(minutes=n))
    return made


def _label(obj) -> str:
    if isinstance(obj, Solution):
        return obj.challenge.title
    return getattr(obj, "name", None) or obj.title


def _search(text, limit=20) -> list[str]:
    results = selectors.search_content(viewer=ANONYMOUS, text=text, limit=limit)
    return [
        f"{type(r).__name__}:{_label(r)}" + (":solution" if isinstance(r, Solution) else "")
        for r in results
    ]


EXPECTED = {
    # One word in many places: title (4) > summary (2) > text (1), newer first on ties.
    "redis": [
        "Technology:Redis",
        "Learning:Cache invalidation",
        "Solution:Slow GraphQL lists:solution",
        "Project:Nexus hub",
    ],
    # Any case, on both sides.
    "REDIS": [
        "Technology:Redis",
        "Learning:Cache invalidation",
        "Solution:Slow GraphQL lists:solution",
        "Project:Nexus hub",
    ],
    # Every word must match, in any order.
    "redis cache": [
        "Learning:Cache invalidation",
        "Technology:Redis",
        "Solution:Slow GraphQL lists:solution",
    ],
    "cache redis django": ["Solution:Slow GraphQL lists:solution"],
    "redis kubernetes": [],
    # Substrings, and words with punctuation inside.
    "prefetch": ["Learning:N+1 queries", "Solution:Slow GraphQL lists:solution"],
    "n+1": ["Learning:N+1 queries", "Challenge:Slow GraphQL lists"],
    "graphql": [
        "Solution:Slow GraphQL lists:solution",
        "Challenge:Slow GraphQL lists",
        "Project:Nexus hub",
    ],
    # Letters beyond ASCII fold too; LIKE's wildcards are plain text.
    "über": ["Learning:Über-fast pages"],
    "ÜBER-FAST": ["Learning:Über-fast pages"],
    "snake_case": ["Learning:Über-fast pages"],
    "invalid_tion": [],
    "ttl": ["Learning:Cache invalidation", "Technology:Redis"],
}


@pytest.mark.parametrize("text, expected", EXPECTED.items(), ids=EXPECTED.keys())
def test_search_gives_the_same_results_on_every_database(corpus, text, expected):
    assert _search(text) == expected


@pytest.mark.parametrize("text", [":", "+-*", "\u00bf?"])
def test_a_search_of_punctuation_only_is_an_empty_page(corpus, text):
    for paging in ({"first": 5}, {"last": 5}):
        page = selectors.page_search_results(viewer=ANONYMOUS, text=text, **paging)
        assert (page.rows, page.total, page.has_next, page.has_previous) == ([], 0, False, False)


def test_search_results_page_the_same_results(corpus):
    everything = selectors.page_search_results(viewer=ANONYMOUS, text="redis", first=20)
    first = selectors.page_search_results(viewer=ANONYMOUS, text="redis", first=2)
    rest = selectors.page_search_results(
        viewer=ANONYMOUS, text="redis", first=20, after=first.positions(1)
    )

    assert [r.pk for r in first.rows + rest.rows] == [r.pk for r in everything.rows]
    assert (first.has_next, rest.has_previous, rest.has_next) == (True, True, False)
    assert everything.total == 4
