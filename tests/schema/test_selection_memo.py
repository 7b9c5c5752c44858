"""The selection below a field is walked once per request and field node, not per row."""

from collections import Counter

import pytest

from schema.core import selection
from tests.conftest import GraphQLClient
from tests.factories import ChallengeFactory, SolutionFactory

PAGE = """{ challenges(first: 30) { edges { node { title
  solutions { edges { node { body author { username } } } }
  acceptedSolution { body } } } } }"""


@pytest.mark.django_db
def test_a_30_row_page_walks_each_selection_once(monkeypatch):
    for _ in range(30):
        SolutionFactory(challenge=ChallengeFactory())
    walks = Counter()
    original = selection._walk
    monkeypatch.setattr(
        selection, "_walk", lambda info: walks.update([info.field_name]) or original(info)
    )

    answer = GraphQLClient().query(PAGE)
    GraphQLClient().query(PAGE)  # a new request walks again: the memo is per request

    assert len(answer["challenges"]["edges"]) == 30
    assert walks == {"challenges": 2, "solutions": 2, "acceptedSolution": 2}
