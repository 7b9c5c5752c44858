"""hub.selectors.paging: keyset pages in SQL and over loaded lists, nulls and case.

The two implementations (a queryset's WHERE/ORDER BY, a list's Python comparisons) are
checked against each other and against the database's own order, for an ordering with
a nullable key (published_at), text folded for case, and ties broken by the id.
"""

import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.errors import ApplicationError
from hub.folding import fold_text
from hub.models import Learning
from hub.selectors import Ordering, ordering_of, page_rows
from tests.factories import ContributorFactory, LearningFactory
from tests.schema.helpers import day

NULLABLE = Ordering.of(Learning, ("-published_at", "title", "id"))
TITLES = ("alpha", "Alpha", "BETA", "beta", "Éclair", "zeta", "_under")


def _learnings(specs, author):
    """One learning per (title index, published day or None)."""
    rows = []
    for title, published in specs:
        learning = LearningFactory(title=TITLES[title % len(TITLES)], author=author)
        published_at = None if published is None else day(published) + timedelta(hours=1)
        Learning.objects.filter(pk=learning.pk).update(published_at=published_at)
        rows.append(learning.pk)
    return rows


page_requests = st.fixed_dictionaries(
    {
        "rows": st.lists(st.tuples(st.integers(0, 6), st.none() | st.integers(1, 3)), max_size=10),
        "after": st.none() | st.integers(0, 12),
        "before": st.none() | st.integers(0, 12),
        "first": st.none() | st.integers(0, 5),
        "last": st.none() | st.integers(0, 5),
        "offset": st.integers(0, 2),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(request=page_requests)
def test_queryset_and_list_pages_agree_with_nulls_and_case(db, request):
    with transaction.atomic():
        _compare(request)
        transaction.set_rollback(True)


def _compare(request):
    author = ContributorFactory()
    _learnings(request["rows"], author)
    qs = NULLABLE.apply(Learning.objects.all())
    in_sql_order = list(qs)
    positions = [NULLABLE.position_of(row) for row in in_sql_order]
    # The database's order is the Python comparison's (nulls last, folded text, ids).
    for a, b in itertools.pairwise(positions):
        assert NULLABLE.compare(a, b) < 0
    # Cursor positions: existing rows' and, past the end, ones no row has.
    candidates = [*positions, (None, "zzz", 10**9), (day(0), "", 0)]

    def position(index):
        return None if index is None else candidates[index % len(candidates)]

    first, last = request["first"], request["last"]
    if first is None and last is None:
        first = 100
    if request["offset"] and first is None:
        request["offset"] = 0
    arguments = {
        "ordering": NULLABLE,
        "after": position(request["after"]),
        "before": position(request["before"]),
        "first": first,
        "last": last,
        "offset": request["offset"],
    }
    from_sql = page_rows(Learning.objects.all(), **arguments)
    from_list = page_rows(in_sql_order, **arguments)

    assert [r.pk for r in from_sql.rows] == [r.pk for r in from_list.rows]
    assert (from_sql.has_previous, from_sql.has_next, from_sql.total) == (
        from_list.has_previous,
        from_list.has_next,
        from_list.total,
    )
    # And the page is what the definition says, from the sorted rows.
    window = [
        row
        for row, pos in zip(in_sql_order, positions, strict=True)
        if (arguments["after"] is None or NULLABLE.compare(pos, arguments["after"]) > 0)
        and (arguments["before"] is None or NULLABLE.compare(pos, arguments["before"]) < 0)
    ]
    expected = window[arguments["offset"] :]
    if first is not None:
        expected = expected[:first]
    if last is not None:
        expected = expected[-last:] if last else []
    assert [r.pk for r in from_list.rows] == [r.pk for r in expected]
    if expected:
        index = {row.pk: i for i, row in enumerate(in_sql_order)}
        assert from_list.has_previous == (index[expected[0].pk] > 0)
        assert from_list.has_next == (index[expected[-1].pk] < len(in_sql_order) - 1)


def test_nulls_come_last_in_both_directions(db):
    author = ContributorFactory()
    _learnings([(0, None), (1, 2), (2, None), (3, 1)], author)
    for specs in (("-published_at", "id"), ("published_at", "id")):
        rows = list(Ordering.of(Learning, specs).apply(Learning.objects.all()))
        assert [r.published_at is None for r in rows] == [False, False, True, True]


def test_text_keys_compare_ascii_case_insensitively_then_by_code_point(db):
    author = ContributorFactory()
    for title in ("beta", "Éclair", "Alpha", "alpha", "BETA", "_under", "zeta"):
        LearningFactory(title=title, author=author)

    rows = list(ordering_of(Learning, "TITLE").apply(Learning.objects.all()))

    # "_" (U+005F) sorts before the folded letters, "É" (U+00C9) after all of ASCII.
    assert [r.title for r in rows] == ["_under", "Alpha", "alpha", "beta", "BETA", "zeta", "Éclair"]
    assert fold_text("ÉclAIR") == "Éclair"


def test_a_position_of_another_shape_is_refused():
    ordering = ordering_of(Learning, "NEWEST")

    for raw in ([], ["2024-01-01T00:00:00+00:00"], ["nope", 1], [None, 1], ["2024-01-01", 1]):
        with pytest.raises(ApplicationError):
            ordering.from_json(raw)
    assert ordering.from_json(["2024-01-01T00:00:00+00:00", 5])[1] == 5
