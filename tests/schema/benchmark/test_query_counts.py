"""Pinned SQL statement counts: each representative query costs the same number of
statements at 1, 10 and 100 items (Saleor-style benchmark tests).

A change that adds a statement per row fails here (and django-zeal fails the
request itself); a change that adds a fixed statement updates the pin on purpose.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.models import Comment, Flag, LearningKind
from hub.services.revisions import record_revision
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)

SIZES = (1, 10, 100)


@pytest.fixture
def hub(db):
    """100 of everything a list shows, each with the relations its list nests."""
    people = ContributorFactory.create_batch(5)
    technologies = TechnologyFactory.create_batch(100)
    project = ProjectFactory()
    project.technologies.add(*technologies[:3])
    for n, technology in enumerate(technologies):
        learning = LearningFactory(
            title=f"Caching lesson {n}", author=people[n % 5], kind=LearningKind.CONCEPT
        )
        learning.technologies.add(technology, technologies[0])
    challenges = []
    for n in range(100):
        challenge = ChallengeFactory(
            title=f"Caching challenge {n}", author=people[n % 5], project=project
        )
        challenge.technologies.add(technologies[n], technologies[0])
        for k in range(2):
            SolutionFactory(challenge=challenge, author=people[(n + k + 1) % 5], is_accepted=k == 0)
        top = Comment.objects.create(challenge=challenge, author=people[0], body="Why?")
        Comment.objects.create(challenge=challenge, parent=top, author=people[1], body="Because.")
        challenges.append(challenge)
    return {"people": people, "challenges": challenges, "technologies": technologies}


def pinned(gql, django_assert_num_queries, query, expected, variables_for):
    """Run `query` at each size; every run must cost exactly `expected` statements."""
    for size in SIZES:
        with django_assert_num_queries(expected):
            data = gql.query(query, variables_for(size))
        yield size, data


NESTED_CHALLENGES = """
query($n: Int!) { challenges(first: $n) { totalCount edges { node {
  id title author { username displayName } project { title }
  technologies(first: 5) { totalCount edges { node { name } } }
  solutionCount acceptedSolution { id author { username } }
  solutions(first: 5) { totalCount edges { node { id score author { username } } } }
  comments(first: 5) { edges { node { body author { username }
    replies(first: 5) { edges { node { body author { username } } } } } } }
} } } }
"""


def test_nested_challenges(gql, django_assert_num_queries, hub):
    # count, challenges (+authors, users, projects; solution counts), technologies,
    # solutions (+authors), accepted solutions (+authors), comment threads (+authors)
    for size, data in pinned(
        gql, django_assert_num_queries, NESTED_CHALLENGES, 6, lambda n: {"n": n}
    ):
        edges = data["challenges"]["edges"]
        assert len(edges) == size
        assert all(
            len(e["node"]["comments"]["edges"][0]["node"]["replies"]["edges"]) == 1 for e in edges
        )


NESTED_TECHNOLOGIES = """
query($n: Int!) { technologies(first: $n) { edges { node {
  name learnings(first: 3) { totalCount edges { node { title author { username } } } }
  projects { edges { node { title } } }
  challenges(first: 3) { edges { node { title solutionCount } } }
} } } }
"""


def test_nested_technologies(gql, django_assert_num_queries, hub):
    # count, technologies, learnings (+authors), projects, challenges (solution counts)
    for size, data in pinned(
        gql, django_assert_num_queries, NESTED_TECHNOLOGIES, 5, lambda n: {"n": n}
    ):
        assert len(data["technologies"]["edges"]) == size


PROFILE = """
query($username: String!, $n: Int!) { contributor(username: $username) {
  username reputation
  challenges(first: $n) { totalCount edges { node {
    title technologies { edges { node { name } } } } } }
  solutions(first: $n) { edges { node { score challenge { title } } } }
  learnings(first: $n) { edges { node { title technologies { edges { node { name } } } } } }
} }
"""


def test_contributor_profile(gql, django_assert_num_queries, hub):
    author = hub["people"][0]
    # contributor (+user), challenges, their technologies, solutions (+challenges),
    # learnings, their technologies
    for _, data in pinned(
        gql,
        django_assert_num_queries,
        PROFILE,
        6,
        lambda n: {"username": author.username, "n": n},
    ):
        assert data["contributor"]["challenges"]["totalCount"] == 20


SEARCH = """
query($n: Int!) { search(query: "caching", first: $n) {
  __typename
  ... on Challenge { title author { username } technologies { edges { node { name } } } }
  ... on Learning { title author { username } }
} }
"""


def test_search_results(gql, hub):
    # the ranked documents, then per kind found: its rows, and its technologies where shown
    per_kind = {"Solution": 1, "Challenge": 2, "Learning": 2}
    for size in SIZES:
        with CaptureQueriesContext(connection) as captured:
            results = gql.query(SEARCH, {"n": size})["search"]
        assert len(results) == size
        kinds = {r["__typename"] for r in results}
        assert len(captured) == 1 + sum(per_kind[kind] for kind in kinds)


ONE_CHALLENGE = """
query($slug: String!) { challenge(slug: $slug) {
  title revisions { totalCount edges { node { title editor { username } } } }
  solutions { edges { node { body author { username } revisions { edges { node { body } } } } } }
  comments { edges { node { body author { username } replies { edges { node { body } } } } } }
} }
"""


def test_one_challenge_with_many_comments_and_revisions(gql, django_assert_num_queries, hub):
    challenge, people = hub["challenges"][0], hub["people"]
    counts = {}
    for size in SIZES:
        for n in range(size - challenge.comments.count() // 2):
            top = Comment.objects.create(challenge=challenge, author=people[n % 5], body="More?")
            Comment.objects.create(challenge=challenge, parent=top, author=people[1], body="Yes.")
        for _ in range(size - challenge.revisions.count()):
            record_revision(challenge, people[2], ("An older title", "An older text"))
        with CaptureQueriesContext(connection) as captured:
            data = gql.query(ONE_CHALLENGE, {"slug": challenge.slug})["challenge"]
        assert data["revisions"]["totalCount"] == size
        counts[size] = len(captured)
    # challenge, revisions (+editors), solutions (+authors), their revisions, comments
    assert counts[1] == counts[10] == counts[100] == 5


FLAGS = """
query($n: Int!) { flags(first: $n) { totalCount edges { node {
  reason reporter { username } target { id } } } } }
"""


def test_open_flags_for_moderators(gql, django_assert_num_queries, hub):
    moderator = ContributorFactory(user__is_staff=True)
    for n, challenge in enumerate(hub["challenges"]):
        Flag.objects.create(
            reporter=hub["people"][n % 5],
            content_type=ContentType.objects.get_for_model(challenge),
            object_id=challenge.pk,
            reason="SPAM",
        )
    gql.login(moderator)
    # viewer, count, flags (+reporters, users), flagged challenges
    for size, data in pinned(gql, django_assert_num_queries, FLAGS, 4, lambda n: {"n": n}):
        nodes = [e["node"] for e in data["flags"]["edges"]]
        assert len(nodes) == size
        assert all(n["target"]["id"] for n in nodes)


# The bench's nested list (bench/queries/nested_list*.graphql), paged by $n: the compiled
# read path (schema.compiled) answers it, level by level.
PLANNED_NESTED = """
query($n: Int!) { challenges(first: $n, orderBy: NEWEST) { edges { node {
  id title slug createdAt author { username displayName } project { title slug }
  technologies { edges { node { name slug } } }
  solutions(first: 5) { edges { node {
    id body score isAccepted viewerVote author { username displayName } } } }
} } } }
"""


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_planned_nested_list(gql, django_assert_num_queries, hub, settings, signed_in):
    from schema import compiled

    settings.NEXUS_COMPILED_READS = True
    if signed_in:
        gql.login(hub["people"][0])
    planned = compiled.paths["planned"]
    # count, challenges (+authors, users, projects), technologies, solutions (+authors,
    # users); signed in: the viewer (user, contributor, moderator flag) and their votes
    expected = 4 + (2 if signed_in else 0)
    for size, data in pinned(
        gql, django_assert_num_queries, PLANNED_NESTED, expected, lambda n: {"n": n}
    ):
        edges = data["challenges"]["edges"]
        assert len(edges) == size
        assert all(len(edge["node"]["solutions"]["edges"]) == 2 for edge in edges)
    assert compiled.paths["planned"] == planned + len(SIZES)


PLANNED_ONE_CHALLENGE = """
query($slug: String!) { challenge(slug: $slug) {
  id title descriptionHtml author { username } project { title }
  technologies { edges { node { name } } }
  solutions(first: 20) { edges { node { id bodyHtml author { username } } } }
  comments(first: 100) { totalCount edges { node { id bodyHtml author { username }
    replies(first: 50) { edges { node { id bodyHtml author { username } } } } } } }
} }
"""


def test_planned_one_challenge_with_its_thread(gql, hub, settings):
    from schema import compiled

    settings.NEXUS_COMPILED_READS = True
    challenge, people = hub["challenges"][0], hub["people"]
    planned = compiled.paths["planned"]
    counts = {}
    for size in SIZES:
        for n in range(size - challenge.comments.filter(parent=None).count()):
            top = Comment.objects.create(challenge=challenge, author=people[n % 5], body="More?")
            Comment.objects.create(challenge=challenge, parent=top, author=people[1], body="Yes.")
        with CaptureQueriesContext(connection) as captured:
            data = gql.query(PLANNED_ONE_CHALLENGE, {"slug": challenge.slug})["challenge"]
        assert data["comments"]["totalCount"] == size
        assert all(len(e["node"]["replies"]["edges"]) == 1 for e in data["comments"]["edges"])
        counts[size] = len(captured)
    # challenge (+author, user, project), technologies, solutions (+authors), the thread
    assert counts[1] == counts[10] == counts[100] == 4
    assert compiled.paths["planned"] == planned + len(SIZES)
