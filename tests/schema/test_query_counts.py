"""A nested list costs a fixed number of SQL statements, however many rows it has."""

from collections import Counter

import pytest

from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)

NESTED_CHALLENGES = """
query Nested($first: Int!) {
  challenges(first: $first) {
    totalCount
    edges {
      node {
        title
        author { username displayName }
        project { title }
        technologies { edges { node { name } } }
        solutionCount
        acceptedSolution { body author { username } }
        solutions { edges { node { body score author { username } } } }
      }
    }
  }
}
"""

# 1 count + 1 challenges (author, user, project joined; solution count annotated)
# + 1 technologies + 1 solutions (authors joined) + 1 accepted solutions (authors joined).
EXPECTED_QUERIES = 5


@pytest.fixture
def hub_with_30_challenges(db):
    authors = ContributorFactory.create_batch(3)
    technologies = TechnologyFactory.create_batch(3)
    projects = ProjectFactory.create_batch(2)
    for n in range(30):
        challenge = ChallengeFactory(author=authors[n % 3], project=projects[n % 2])
        challenge.technologies.add(*technologies[: n % 3 + 1])
        for rank in range(n % 3):
            SolutionFactory(
                challenge=challenge, author=authors[rank], score=rank, is_accepted=rank == 1
            )


@pytest.mark.usefixtures("hub_with_30_challenges")
def test_nested_challenges_cost_the_same_at_any_page_size(gql, django_assert_num_queries):
    counts = {}
    for first in (1, 10, 30):
        with django_assert_num_queries(EXPECTED_QUERIES) as captured:
            data = gql.query(NESTED_CHALLENGES, {"first": first})
        assert len(data["challenges"]["edges"]) == first
        counts[first] = len(captured)

    assert counts[1] == counts[10] == counts[30]


@pytest.mark.usefixtures("hub_with_30_challenges")
def test_nested_challenges_are_complete(gql):
    edges = gql.query(NESTED_CHALLENGES, {"first": 30})["challenges"]["edges"]
    challenges = [edge["node"] for edge in edges]

    assert all(c["author"]["username"] for c in challenges)
    assert all(c["project"]["title"] for c in challenges)
    assert Counter(len(c["technologies"]["edges"]) for c in challenges) == {1: 10, 2: 10, 3: 10}
    assert sum(c["solutionCount"] for c in challenges) == 30
    assert all((c["acceptedSolution"] is not None) == (c["solutionCount"] == 2) for c in challenges)
    for challenge in challenges:
        scores = [edge["node"]["score"] for edge in challenge["solutions"]["edges"]]
        assert len(scores) == challenge["solutionCount"]
        if challenge["acceptedSolution"]:
            assert scores[0] == 1


NESTED_TECHNOLOGIES = """
{
  technologies(first: 20) {
    edges { node {
      name
      learnings(first: 10) { edges { node { title author { username } } } }
      challenges(first: 10) {
        edges { node { title solutionCount solutions(first: 10) { edges { node { body } } } } }
      }
      projects(first: 10) { edges { node { title } } }
    } }
  }
}
"""


def test_nested_technologies_cost_a_fixed_number_of_queries(gql, django_assert_num_queries):
    author = ContributorFactory()
    for _ in range(5):
        technology = TechnologyFactory()
        challenge = ChallengeFactory(author=author)
        challenge.technologies.add(technology)
        SolutionFactory(challenge=challenge, author=author)
        ProjectFactory().technologies.add(technology)
        LearningFactory(author=author).technologies.add(technology)

    # count + technologies + learnings + challenges + their solutions + projects
    with django_assert_num_queries(6):
        gql.query(NESTED_TECHNOLOGIES)
