"""What an answer reads (schema.core.dependencies), proven against every write there is.

The response cache keeps an answer until a write bumps a kind it reads, so a kind
left out of `operation_reads` is a stale answer. Here queries are generated from
the schema (hypothesis-graphql, every field and argument), each is answered and
cached, then one of the hub's writes runs through its service, and the cached
answer must equal a fresh one. Writes cover every model and both sides of every
relation: votes, accepts, profile edits, new and edited content, comments,
moderation, technology links.
"""

import contextlib
import itertools
import json

import pytest
from graphql import (
    GraphQLObjectType,
    get_named_type,
    is_abstract_type,
    is_enum_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql_relay import to_global_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from hub.errors import ApplicationError
from hub.models import Challenge, ModerationActionKind, Solution
from hub.services import accounts, challenges, comments, moderation, resources, solutions
from nexus_graphql import response_cache
from schema.core.dependencies import EVERYTHING, model_of, operation_reads
from schema.schema import schema
from tests.conftest import GraphQLClient
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    ResourceFactory,
    SolutionFactory,
    TechnologyFactory,
)

SCHEMA = schema.graphql_schema
_counter = itertools.count()


def reads_of(query: str) -> frozenset[str]:
    from graphql import parse

    document = parse(query)
    return operation_reads(SCHEMA, document, document.definitions[0])


def test_every_field_of_every_model_type_names_what_it_reads():
    """Walks the schema: a field that reads EVERYTHING would never be cached for long."""
    unknown = []
    for type_ in SCHEMA.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or model_of(type_) is None:
            continue
        for name, field in type_.fields.items():
            below = " { __typename }" if hasattr(get_named_type(field.type), "fields") else ""
            query = f'{{ node(id: "x") {{ ... on {type_.name} {{ {name}{below} }} }} }}'
            if EVERYTHING in reads_of(query):
                unknown.append(f"{type_.name}.{name}")
    assert unknown == []


def test_lists_read_their_items_and_what_hides_them():
    assert reads_of("{ technologies(first: 5) { edges { node { name } } } }") == {"Technology"}
    assert reads_of("{ challenges(first: 5) { totalCount } }") == {"Challenge"}
    # A solution is visible inside a visible challenge; a bio is a column of its own.
    assert reads_of(
        '{ contributor(username: "a") { bio solutions(first: 3) { edges { node { score } } } } }'
    ) == {"User", "Contributor", "Contributor.bio", "Solution", "Challenge"}
    assert reads_of("{ hubDocument }") == {EVERYTHING}


@pytest.fixture
def hub(db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "enabled": False}
    settings.GRAPHQL_RESPONSE_CACHE = True
    # Selections of every field are larger than clients may send; the cache is the subject.
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_fields": 5_000}
    django, redis = TechnologyFactory(slug="django"), TechnologyFactory(slug="redis")
    project = ProjectFactory()
    challenge = ChallengeFactory(project=project)
    challenge.technologies.set([django])
    first, second = SolutionFactory(challenge=challenge), SolutionFactory(challenge=challenge)
    learning = LearningFactory()
    learning.technologies.set([redis])
    resource = ResourceFactory(url="https://redis.io/docs/")
    resource.technologies.set([redis])
    return {
        "resource": resource,
        "learning": learning,
        "moderator": ContributorFactory(user__is_staff=True).user,
        "author": challenge.author.user,
        "challenge": challenge,
        "solutions": [first, second],
        "technologies": [django, redis],
        "project": project,
    }


def _vote(hub):
    voter = ContributorFactory().user
    solutions.vote_solution(
        viewer=voter, solution_id=hub["solutions"][0].pk, value=solutions.VoteValue.UP
    )


def _accept(hub):
    n = next(_counter) % 2
    solutions.accept_solution(viewer=hub["author"], solution_id=hub["solutions"][n].pk)


def _edit_bio(hub):
    accounts.update_profile(viewer=hub["author"], bio=f"Bio {next(_counter)}")


def _rename(hub):
    accounts.update_profile(viewer=hub["author"], display_name=f"Name {next(_counter)}")


def _new_solution(hub):
    solutions.submit_solution(
        viewer=ContributorFactory().user,
        challenge_id=hub["challenge"].pk,
        body=f"Answer {next(_counter)}",
    )


def _edit_challenge(hub):
    challenges.update_challenge(
        viewer=hub["author"],
        challenge_id=hub["challenge"].pk,
        title=f"Title {next(_counter)}",
        technologies=["redis"],
    )


def _new_challenge(hub):
    challenges.submit_challenge(
        viewer=ContributorFactory().user,
        title=f"New {next(_counter)}",
        description="d",
        technologies=["django"],
    )


def _comment(hub):
    target = Challenge.objects.get(pk=hub["challenge"].pk)
    comments.add_comment(
        viewer=hub["author"],
        target_model=Challenge,
        target_id=target.pk,
        body=f"Comment {next(_counter)}",
    )


def _hide_and_publish(hub):
    action = [ModerationActionKind.HIDE, ModerationActionKind.PUBLISH][next(_counter) % 2]
    moderation.moderate_content(
        viewer=hub["moderator"],
        model=Solution,
        object_id=hub["solutions"][1].pk,
        action=action,
        reason="test",
    )


def _new_resource(hub):
    resources.submit_resource(
        viewer=ContributorFactory().user,
        title=f"Resource {next(_counter)}",
        url=f"https://docs.example.com/{next(_counter)}",
        kind="DOCS",
        summary="Read it.",
        technologies=["redis"],
    )


def _edit_resource(hub):
    resources.update_resource(
        viewer=ContributorFactory(user__is_staff=True).user,
        resource_id=hub["resource"].pk,
        summary=f"Summary {next(_counter)}",
        technologies=["django"],
    )


def _hide_challenge(hub):
    moderation.moderate_content(
        viewer=hub["moderator"],
        model=Challenge,
        object_id=hub["challenge"].pk,
        action=ModerationActionKind.HIDE,
        reason="test",
    )


def _link_technology(hub):
    challenge = Challenge.objects.get(pk=hub["challenge"].pk)
    challenge.technologies.add(TechnologyFactory())


WRITES = [
    _vote,
    _accept,
    _edit_bio,
    _rename,
    _new_solution,
    _edit_challenge,
    _new_challenge,
    _comment,
    _hide_and_publish,
    _link_technology,
    _new_resource,
    _edit_resource,
    _hide_challenge,  # last: the others write inside this challenge
]


def every_field(type_, depth: int, *, member: bool = False) -> str:
    """A selection of every field of `type_` (or of each member of a union or interface),
    lists paged by 3, `depth` object levels down (a connection's plumbing is no level).
    A member's enum fields are aliased: Learning.kind and Resource.kind may not share a
    response name."""
    if is_abstract_type(type_):
        members = (
            f"... on {t.name} {{ {every_field(t, depth, member=True)} }}"
            for t in SCHEMA.get_possible_types(type_)
        )
        return "__typename " + " ".join(members)
    selections = []
    for name, field in type_.fields.items():
        if any(is_non_null_type(arg.type) for arg in field.args.values()):
            continue  # needs an argument this walk cannot make up
        target = get_named_type(field.type)
        if is_leaf_type(target):
            aliased = member and is_enum_type(target)
            selections.append(f"{type_.name}_{name}: {name}" if aliased else name)
            continue
        plumbing = target.name.endswith(("Connection", "Edge")) or target.name == "PageInfo"
        if depth > 0 or plumbing:
            arguments = "(first: 3)" if "first" in field.args else ""
            below = every_field(target, depth if plumbing else depth - 1)
            selections.append(f"{name}{arguments} {{ {below} }}")
    return " ".join(selections) or "__typename"


def root_queries(hub) -> dict[str, str]:
    """One query per root field, each selecting everything below it, two levels down."""
    arguments = {
        "contributor": f'(username: "{hub["challenge"].author.user.username}")',
        "challenge": f'(slug: "{hub["challenge"].slug}")',
        "technology": '(slug: "django")',
        "project": f'(slug: "{hub["project"].slug}")',
        "learning": f'(slug: "{hub["learning"].slug}")',
        "resource": f'(slug: "{hub["resource"].slug}")',
        "search": '(query: "challenge")',
        "searchResults": '(query: "challenge", first: 3)',
        "node": f'(id: "{to_global_id("Challenge", hub["challenge"].pk)}")',
    }
    found = {}
    for name, field in SCHEMA.query_type.fields.items():
        if name == "me":  # null for anonymous readers, whatever changes
            continue
        target = get_named_type(field.type)
        args = arguments.get(name, "(first: 3)" if "first" in field.args else "")
        if is_abstract_type(target):  # one query per member type, or it is over the limits
            for member in SCHEMA.get_possible_types(target):
                below = (
                    f"__typename ... on {member.name} {{ {every_field(member, 2, member=True)} }}"
                )
                found[f"{name}:{member.name}"] = f"{{ {name}{args} {{ {below} }} }}"
            continue
        below = "" if is_leaf_type(target) else f" {{ {every_field(target, 2)} }}"
        found[name] = f"{{ {name}{args}{below} }}"
    # Rows hidden by their container, read where nothing else reads the container.
    solver = hub["solutions"][0].author.user.username
    solutions = "solutions(first: 3) { edges { node { body } } }"
    found["solutions of a contributor"] = (
        f'{{ contributor(username: "{solver}") {{ {solutions} }} }}'
    )

    return found


@pytest.mark.django_db(transaction=True)
def test_no_answer_showing_every_field_is_stale_after_any_write(hub, settings):
    """Every root field, every field below it three levels deep, after each write."""
    checked = 0
    queries_by_root = root_queries(hub)
    # Answers reading everything are invalidated by every write: they would prove nothing.
    broad = {root for root, query in queries_by_root.items() if EVERYTHING in reads_of(query)}
    assert broad == {"hubDocument", "hubStats"}
    for query in queries_by_root.values():
        answer(query, cached=True, django_settings=settings)
    for write in WRITES:
        with contextlib.suppress(ApplicationError):
            write(hub)
        for root, query in queries_by_root.items():
            fresh = answer(query, cached=False, django_settings=settings)
            assert answer(query, cached=True, django_settings=settings) == fresh, (
                root,
                write.__name__,
            )
            assert "errors" not in fresh or root == "flags", (root, fresh["errors"])
            checked += 1
    assert checked == len(WRITES) * len(queries_by_root)


def answer(query: str, *, cached: bool, django_settings) -> dict:
    django_settings.GRAPHQL_RESPONSE_CACHE = cached
    return json.loads(GraphQLClient().post(query).content)


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=queries(SCHEMA), write=st.sampled_from(WRITES))
def test_no_generated_query_is_stale_after_any_write(hub, settings, query, write):
    answer(query, cached=True, django_settings=settings)  # answered and kept

    with contextlib.suppress(ApplicationError):  # refused (accepting a hidden answer)
        write(hub)

    assert answer(query, cached=True, django_settings=settings) == answer(
        query, cached=False, django_settings=settings
    ), (query, write.__name__)
    response_cache.local_bodies.clear()
