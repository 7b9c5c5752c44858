"""The compiled read path (schema.compiled) answers exactly as the reference path.

Every operation runs twice over HTTP, NEXUS_COMPILED_READS off (graphql-core and the
resolvers: the oracle) and on, as an anonymous viewer, a contributor (author of some
hidden and pending content) and a moderator, over content in every status; the two
response bodies must be byte-identical (data and errors, key order included). The
operations: every query of docs/operations/, every bench query, hand-written variants
of the planned shapes (orderings, filters, paging both ways with real cursors, bad
cursors, fragments, aliases, directives), and generated ones (hypothesis-graphql, with
real slugs and usernames swapped in; NEXUS_DIFFERENTIAL_EXAMPLES of them, default 25).

A differential test where everything falls back proves nothing: each test counts the
operations the planned path answered and asserts a floor, and prints the figures.
"""

import json
import os
import time
from pathlib import Path

import pytest
from django.test import override_settings
from graphql import StringValueNode, parse, print_ast, visit
from graphql.language import Visitor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from hub.models import ContentStatus
from hub.services import solutions
from schema import compiled
from schema.compiled.plan import _root_fields
from schema.schema import schema
from tests.conftest import GRAPHQL_URL, GraphQLClient
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    ResourceFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import day, group_moderator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = schema.graphql_schema
EXAMPLES = int(os.environ.get("NEXUS_DIFFERENTIAL_EXAMPLES", "25"))
# The root fields the planner knows (schema.core.lists marks them): generated
# operations start there, so that some of them are planned.
PLANNED_ROOTS = sorted(_root_fields(SCHEMA.query_type))
STATUSES = [ContentStatus.PUBLISHED, ContentStatus.PENDING, ContentStatus.HIDDEN]


@pytest.fixture
def hub(db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "enabled": False}
    settings.GRAPHQL_RESPONSE_CACHE = False  # both paths must really run
    author = ContributorFactory()
    other = ContributorFactory()
    technologies = [TechnologyFactory(name=name) for name in ("django", "Rust", "alpha", "Zig")]
    projects = [ProjectFactory(title=title) for title in ("beta", "Alpha", "gamma")]
    for i in range(9):
        challenge = ChallengeFactory(
            title=["Same", "same", "Other"][i % 3] + f" {i % 4}",
            author=author if i % 2 else other,
            status=STATUSES[i % 3],
            project=projects[i % 3] if i % 4 else None,
            created_at=day(i % 5),  # ties: the id decides
        )
        challenge.technologies.set(technologies[: i % 4])
        for j in range(1 + i % 5):
            solution = SolutionFactory(
                challenge=challenge, author=[author, other][j % 2], status=STATUSES[j % 3]
            )
            published = {solution.status, challenge.status} == {ContentStatus.PUBLISHED}
            if solution.author == other and published:
                # The contributor viewer's own votes (viewerVote), up and down.
                value = [solutions.VoteValue.UP, solutions.VoteValue.DOWN][i % 2]
                solutions.vote_solution(viewer=author.user, solution_id=solution.pk, value=value)
    for i in range(5):
        learning = LearningFactory(author=author if i % 2 else other, status=STATUSES[i % 3])
        learning.technologies.set(technologies[i % 2 : 3])
        resource = ResourceFactory(author=author if i % 2 else other, status=STATUSES[i % 3])
        resource.technologies.set(technologies[1 + i % 3 :])
    projects[0].technologies.set(technologies[:2])
    _threads(author, other)
    return {"author": author, "moderator": group_moderator()}


def _threads(author, other):
    """Comment threads on challenges and solutions, in every status, with replies to
    replies and replies whose parent is hidden."""
    from hub.models import Challenge, Comment, Solution

    n = 0
    for target in [*Challenge.objects.order_by("pk")[:6], *Solution.objects.order_by("pk")[:4]]:
        on = {"challenge": target} if isinstance(target, Challenge) else {"solution": target}
        for i in range(3):
            n += 1
            top = Comment.objects.create(
                **on, author=[author, other][n % 2], status=STATUSES[n % 3], body=f"Top {n}"
            )
            parent = top
            for depth in range(i + 1):
                parent = Comment.objects.create(
                    **on,
                    parent=parent,
                    author=[other, author][(n + depth) % 2],
                    status=STATUSES[(n + depth + 1) % 3],
                    body=f"Reply {n}.{depth}",
                )


def _viewers(hub) -> dict:
    return {
        "anonymous": GraphQLClient(),
        "contributor": GraphQLClient().login(hub["author"]),
        "moderator": GraphQLClient().login(hub["moderator"]),
    }


class Differential:
    """Runs operations on both paths, compares, and counts who answered."""

    def __init__(self, settings, viewers: dict, figure):
        self.settings, self.viewers, self.figure = settings, viewers, figure
        self.operations = 0
        self.started = time.monotonic()
        self.before = compiled.paths.copy()

    def body(self, client, query, variables, operation_name, *, planned: bool) -> bytes:
        body = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        headers = {"Authorization": f"JWT {client.token}"} if client.token else {}
        # A context, not the settings fixture: thousands of its overrides would stack.
        with override_settings(NEXUS_COMPILED_READS=planned):
            response = client.http.post(
                GRAPHQL_URL, json.dumps(body), content_type="application/json", headers=headers
            )
        assert response.status_code < 500, response.content
        return response.content

    def compare(self, query, variables=None, operation_name=None) -> bytes:
        """Both paths' bodies for every viewer must be identical; the anonymous body."""
        first = None
        for name, client in self.viewers.items():
            reference = self.body(client, query, variables, operation_name, planned=False)
            answered = self.body(client, query, variables, operation_name, planned=True)
            assert answered == reference, f"{name}: {query}\n{variables}"
            self.operations += 1
            first = first or reference
        return first

    def figures(self) -> dict:
        counts = {key: compiled.paths[key] - self.before[key] for key in compiled.paths}
        return {
            "operations": self.operations,
            "planned": counts.get("planned", 0),
            "fallback": counts.get("fallback", 0),
            "reference": counts.get("reference", 0),
            "seconds": round(time.monotonic() - self.started, 2),
        }

    def report(self, label: str) -> dict:
        figures = self.figures()
        self.figure(f"compiled differential [{label}]: {figures}")
        return figures


@pytest.fixture
def differential(hub, settings, figure):
    return Differential(settings, _viewers(hub), figure)


def _documents():
    for path in sorted((ROOT / "docs" / "operations").glob("*.graphql")):
        text = path.read_text()
        if parse(text).definitions[0].operation.value != "query":
            continue  # mutations write: never planned, and the second run would differ
        variables_file = path.with_suffix(".variables.json")
        variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
        yield path.name, text, variables


def test_documented_and_bench_operations(differential):
    from hub.models import Challenge

    slug = Challenge.objects.filter(status=ContentStatus.PUBLISHED).first().slug
    for _name, text, variables in _documents():
        differential.compare(text, variables)
    for path in sorted((ROOT / "bench" / "queries").glob("*.graphql")):
        differential.compare(path.read_text(), {"slug": slug, "q": "Same"})
    figures = differential.report("docs/operations + bench")
    assert figures["planned"] >= 12, figures


ORDERS = {
    "challenges": ["NEWEST", "OLDEST", "TITLE", "MOST_SOLUTIONS"],
    "learnings": ["NEWEST", "OLDEST", "TITLE"],
    "projects": ["NEWEST", "OLDEST", "TITLE"],
    "technologies": ["NAME", "TITLE", "NEWEST", "OLDEST"],
    "resources": ["NEWEST", "OLDEST", "TITLE"],
}
NODE_FIELDS = {
    "challenges": "id title slug createdAt updatedAt publishedAt description descriptionHtml",
    "learnings": "id title slug createdAt",
    "projects": "id title slug",
    "technologies": "id name slug category",
    "resources": "id title slug url",
}


def _page(field: str, order: str, arguments: str) -> str:
    used = [f"${name}: String" for name in ("after", "before") if f"${name}" in arguments]
    declared = f"({', '.join(used)})" if used else ""
    return (
        f"query P{declared} {{ {field}(orderBy: {order} {arguments}) "
        "{ __typename totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
        f"edges {{ __typename cursor node {{ __typename {NODE_FIELDS[field]} }} }} }} }}"
    )


def test_paging_both_ways_in_every_ordering(differential):
    for field, orders in ORDERS.items():
        for order in orders:
            after = None
            for _ in range(4):  # forwards, 2 at a time, with the cursors the API gave
                body = json.loads(
                    differential.compare(
                        _page(field, order, "first: 2 after: $after"), {"after": after}
                    )
                )
                info = body["data"][field]["pageInfo"]
                if not info["hasNextPage"]:
                    break
                after = info["endCursor"]
            differential.compare(_page(field, order, "last: 2 before: $before"), {"before": after})
            differential.compare(_page(field, order, "first: 3 offset: 1"))
            differential.compare(_page(field, order, "first: 2 last: 1"))
    figures = differential.report("paging")
    assert figures["planned"] >= figures["operations"] * 0.9, figures


def test_errors_and_edge_cases_are_identical(differential):
    other_cursor = json.loads(differential.compare(_page("learnings", "NEWEST", "first: 1")))[
        "data"
    ]["learnings"]["edges"][0]["cursor"]
    cases = [
        # Errors: the reference path writes them.
        ('{ challenges(first: 2, after: "forged") { totalCount } }', None),
        (
            "query($a: String) { challenges(first: 1, after: $a) { totalCount } }",
            {"a": other_cursor},
        ),
        ("{ challenges(first: 101) { totalCount } }", None),
        ("{ challenges(first: -1) { totalCount } }", None),
        ('{ challenges(first: 1, offset: 1, before: "x") { totalCount } }', None),
        # Filters, real and unknown values.
        ('{ challenges(technology: "django") { totalCount edges { node { title } } } }', None),
        ('{ challenges(project: "nope", author: "nobody") { totalCount } }', None),
        ('{ challenges(search: "same") { totalCount edges { node { title } } } }', None),
        ("{ challenges(hasAcceptedSolution: false) { totalCount } }", None),
        ("{ technologies(category: LANGUAGE) { totalCount edges { node { name } } } }", None),
        ('{ challenges(search: "a\\u0000b") { totalCount } }', None),
        # Shapes: aliases, fragments, directives, repeated fields, empty pages.
        (
            "query($yes: Boolean!, $no: Boolean!) { a: challenges(first: 2) { n: totalCount "
            "edges { node { ...F t: title @include(if: $yes) slug @skip(if: $yes) "
            "id @include(if: $no) } } } b: learnings(first: 0) { pageInfo { endCursor "
            "startCursor hasNextPage } edges { cursor } } } "
            "fragment F on Challenge { title id ... on Challenge { createdAt } }",
            {"yes": True, "no": False},
        ),
        ('{ challenge(slug: "nope") { id } technology(slug: "django") { name } }', None),
        ('{ challenge(slug: "a\\u0000") { id } }', None),
        ("{ __typename challenges(first: 1) { edges { node { id } } } }", None),
    ]
    for query, variables in cases:
        differential.compare(query, variables)
    figures = differential.report("errors and edge cases")
    assert figures["planned"] >= 10, figures
    assert figures["fallback"] >= 5, figures  # the error cases went to the reference path


NESTED = (
    # Every nested list and to-one relation of the listed kinds, twice nested, with
    # each viewer's hidden and pending rows among them.
    "{ challenges(first: 9, orderBy: TITLE) { totalCount edges { node { title status "
    "author { username displayName challenges(first: 2) { totalCount pageInfo { "
    "hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { title "
    "solutions(last: 1) { totalCount edges { cursor node { score viewerVote status "
    "challenge { title status author { username } } } } } } } } "
    "solutions(first: 1) { edges { node { isAccepted } } } learnings { totalCount } } "
    "project { title challenges(first: 1) { totalCount edges { node { slug } } } "
    "technologies { edges { node { name } } } } "
    "technologies(first: 2) { totalCount pageInfo { hasNextPage } edges { node { name "
    "challenges { totalCount } } } } "
    "solutions { totalCount edges { __typename node { __typename id viewerVote "
    "author { __typename id username } } } } } } } }",
    "{ technologies(orderBy: NAME, first: 10) { edges { node { name category "
    "challenges(first: 3) { totalCount edges { node { title solutions(first: 5) { totalCount "
    "edges { node { author { displayName } viewerVote } } } } } } "
    "learnings(first: 2) { totalCount edges { node { title author { username } } } } "
    "projects(first: 5) { edges { node { title technologies { totalCount } } } } "
    "resources(first: 5) { totalCount edges { node { title url author { username } } } } } } } }",
    "{ projects(first: 3) { edges { node { title challenges { edges { node { title "
    "author { learnings { totalCount edges { node { title } } } } } } } } } } }",
    "query($yes: Boolean!) { a: challenges(first: 3) { edges { node { "
    "s: solutions(first: 2) { edges { node { id @include(if: $yes) score } } } "
    "t: solutions(first: 1) { edges { node { id } } } ...C } } } } "
    "fragment C on Challenge { author { ... on Contributor { username } } "
    "s: solutions(first: 2) { edges { node { viewerVote } } } }",
    # Comment threads: replies at every depth, parents, paged, on challenges and solutions.
    "{ challenges(first: 9) { edges { node { title comments(first: 2) { totalCount "
    "pageInfo { hasNextPage endCursor } edges { cursor node { body status "
    "author { username } parent { body } replies(first: 5) { totalCount edges { node { body "
    "parent { body author { displayName } } replies(last: 1) { pageInfo { hasPreviousPage } "
    "edges { cursor node { body replies(first: 5) { totalCount } parent { status } } } } "
    "} } } } } } "
    "solutions(first: 5) { edges { node { id comments(first: 5) { totalCount edges { node { body "
    "a: author { username } replies(first: 5) { edges { node { body "
    "a: author { displayName } } } } } } } } } } } } } }",
)


def _nested_cursors(differential) -> dict:
    """Real cursors of a nested list (a challenge's solutions) and of another one."""
    body = json.loads(
        differential.compare(
            "{ challenges(first: 9) { edges { node { slug solutions { edges { cursor } } "
            "technologies { edges { cursor } } } } } }"
        )
    )
    nodes = [edge["node"] for edge in body["data"]["challenges"]["edges"]]
    busiest = max(nodes, key=lambda node: len(node["solutions"]["edges"]))
    return {
        "slug": busiest["slug"],
        "solutions": [edge["cursor"] for edge in busiest["solutions"]["edges"]],
        "technology": next(
            edge["cursor"] for node in nodes for edge in node["technologies"]["edges"]
        ),
    }


def test_nested_lists_and_relations_are_identical(differential):
    for query in NESTED:
        body = json.loads(differential.compare(query, {"yes": True}))
        assert "errors" not in body, body
    cursors = _nested_cursors(differential)
    assert len(cursors["solutions"]) >= 2, cursors
    paged = (
        "query($slug: String!, $after: String, $before: String) { challenge(slug: $slug) { "
        "solutions(first: 1, after: $after, before: $before) { totalCount pageInfo { "
        "hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } "
        "backwards: solutions(last: 1, before: $before) { pageInfo { hasPreviousPage } "
        "edges { node { id } } } } }"
    )
    first, second = cursors["solutions"][:2]
    for after, before in ((first, None), (None, second), (first, second), (second, first)):
        differential.compare(paged, {"slug": cursors["slug"], "after": after, "before": before})
    offset = (
        "query($s: String!) { challenge(slug: $s) { "
        "solutions(first: 1, offset: 1) { edges { node { id } } } } }"
    )
    differential.compare(offset, {"s": cursors["slug"]})
    planned = differential.figures()["planned"]
    # Errors below the root: the reference path writes them (fallbacks).
    for variables in (
        {"slug": cursors["slug"], "after": cursors["technology"]},  # another list's cursor
        {"slug": cursors["slug"], "after": "forged"},
    ):
        differential.compare(paged, variables)
    differential.compare(
        "{ challenges(first: 2) { edges { node { solutions(first: 101) { totalCount } } } } }"
    )
    figures = differential.report("nested lists and relations")
    assert figures["planned"] == planned, figures  # every error case fell back
    assert planned >= 3 * (len(NESTED) + 6), figures


class _RealValues(Visitor):
    """Swaps generated strings for real slugs and usernames, so lookups find rows."""

    def __init__(self, draw, values: dict):
        super().__init__()
        self.draw, self.values = draw, values

    def enter_argument(self, node, *_):
        choices = self.values.get(node.name.value)
        if choices and isinstance(node.value, StringValueNode):
            value = self.draw(st.sampled_from([*choices, node.value.value]))
            return node.__class__(name=node.name, value=StringValueNode(value=value))
        return None


def _real_values() -> dict:
    from hub.models import Challenge, Contributor, Learning, Project, Resource, Technology

    slugs = [
        obj.slug
        for model in (Challenge, Learning, Project, Resource, Technology)
        for obj in model.objects.all()
    ]
    return {
        "slug": slugs,
        "technology": list(Technology.objects.values_list("slug", flat=True)),
        "project": list(Project.objects.values_list("slug", flat=True)),
        "author": [c.user.username for c in Contributor.objects.select_related("user")],
        "search": ["same", "Other 1", "django"],
    }


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(query=queries(SCHEMA, fields=PLANNED_ROOTS, allow_x00=False), data=st.data())
def test_generated_operations(differential, query, data):
    values = _real_values()
    document = visit(parse(query), _RealValues(data.draw, values))
    differential.compare(print_ast(document))
    GENERATED[:] = [differential.figures()]  # cumulative over the examples


GENERATED: list = []


def test_generated_operations_took_the_planned_path(figure):
    """The generated run above proves something only if some of it was planned."""
    if not GENERATED:
        pytest.skip("run with test_generated_operations")
    figures = GENERATED[0]
    figure(f"compiled differential [generated, {EXAMPLES} examples x 3 viewers]: {figures}")
    assert figures["planned"] > 0, figures


@pytest.mark.django_db(transaction=True)
def test_planned_answers_are_cached_and_invalidated_like_the_reference_ones(settings):
    """The response cache keys an answer by the kinds its selection reads
    (schema.core.dependencies, from the document): a planned answer is kept, served,
    and evicted by a write exactly as a reference one."""
    settings.GRAPHQL_RESPONSE_CACHE = True
    settings.NEXUS_COMPILED_READS = True
    challenge = ChallengeFactory(title="Before")
    technology = TechnologyFactory(name="kept")
    reader = GraphQLClient()
    query = "{ challenges(first: 5) { edges { node { title } } } }"
    other = "{ technologies(first: 5) { edges { node { name } } } }"
    planned = compiled.paths["planned"]

    first, technologies = reader.post(query), reader.post(other)
    assert first["X-Cache"] == "MISS" and technologies["X-Cache"] == "MISS"
    assert compiled.paths["planned"] == planned + 2  # both answered by the planned path
    assert reader.post(query)["X-Cache"] == "HIT"

    challenge.title = "After"
    challenge.save()
    technology.refresh_from_db()

    again = reader.post(query)
    assert again["X-Cache"] == "MISS"
    assert again.json()["data"]["challenges"]["edges"][0]["node"]["title"] == "After"
    assert reader.post(other)["X-Cache"] == "HIT"  # a challenge write keeps technologies'
