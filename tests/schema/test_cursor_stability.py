"""Keyset cursors under concurrent change, for every connection of the schema.

The connections are found by walking the schema (every field whose type is a
`...Connection`); each has a builder below that adds and removes its items (a test fails
when a connection has none). For each connection and each orderBy value, hypothesis
generates walks: page sizes, a direction (first/after or last/before) and, between two
page loads, inserts and deletes, including of the very row the cursor points at.
Whatever happens, every item that exists for the whole walk is seen exactly once, no
item twice, in the list's order; hasPreviousPage and hasNextPage say exactly whether
the list has items before and after the page.

HYPOTHESIS_CURSOR_EXAMPLES raises the number of walks per connection and ordering.
"""

import os
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from graphql import GraphQLEnumType, get_named_type
from graphql_relay import to_global_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.models import Comment, Flag, FlagReason, Revision
from schema.schema import schema
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    ResourceFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import day, staff_moderator

EXAMPLES = int(os.environ.get("HYPOTHESIS_CURSOR_EXAMPLES", "8"))
# Key values drawn from small pools, so that orderings see ties, case variants and the
# primary key as the last word.
WORDS = ("alpha", "Alpha", "BETA", "beta", "gamma", "Gamma", "delta")
DAYS = (1, 1, 2, 3)
SEARCH_WORD = "zeppelin"


def _connections():
    """(type name, field name, orderBy values or (None,)) of every connection field."""
    found = []
    for type_name, graphql_type in sorted(schema.graphql_schema.type_map.items()):
        if type_name.startswith("__") or not hasattr(graphql_type, "fields"):
            continue
        if type_name in ("Mutation", "Subscription"):
            continue
        for field_name, field in graphql_type.fields.items():
            if not get_named_type(field.type).name.endswith("Connection"):
                continue
            order_arg = field.args.get("orderBy")
            orders = (None,)
            if order_arg is not None and isinstance(
                get_named_type(order_arg.type), GraphQLEnumType
            ):
                orders = tuple(get_named_type(order_arg.type).values)
            for order in orders:
                found.append((type_name, field_name, order))
    return found


CONNECTIONS = _connections()


# ---------------------------------------------------------------- builders


@dataclass
class World:
    """One example's data: the parent of the list (None at the root), what its items need."""

    author: object
    parent: object = None
    counter: int = 0

    def next(self) -> int:
        self.counter += 1
        return self.counter


def _at(obj, draw_day, minutes=0):
    """Give `obj` a drawn creation time (ties on purpose), bypassing auto fields."""
    type(obj).objects.filter(pk=obj.pk).update(
        created_at=day(DAYS[draw_day % len(DAYS)]) + timedelta(minutes=minutes)
    )
    return obj


def _technology(world, key):
    return _at(TechnologyFactory(name=f"{WORDS[key % len(WORDS)]} {world.next()}"), key)


def _learning(world, key, **fields):
    fields.setdefault("title", WORDS[key % len(WORDS)])
    return _at(LearningFactory(author=world.author, **fields), key)


def _challenge(world, key, **fields):
    return _at(ChallengeFactory(title=WORDS[key % len(WORDS)], author=world.author, **fields), key)


def _project(world, key):  # titles of projects are unique
    return _at(ProjectFactory(title=f"{WORDS[key % len(WORDS)]} {world.next()}"), key)


def _resource(world, key):
    return _at(ResourceFactory(title=WORDS[key % len(WORDS)], author=world.author), key)


def _solution(world, key, challenge, **fields):
    fields.setdefault("score", key % 3 - 1)
    return _at(SolutionFactory(challenge=challenge, author=world.author, **fields), key)


def _comment(world, key, **target):
    return _at(Comment.objects.create(author=world.author, body=f"c{world.next()}", **target), key)


def _revision(world, key):
    revision = Revision.objects.create(
        content_type=ContentType.objects.get_for_model(world.parent),
        object_id=world.parent.pk,
        editor=world.author,
        title="t",
        body=f"r{world.next()}",
    )
    return _at(revision, key)


def _flag(world, key):
    target = LearningFactory(author=world.author)
    flag = Flag.objects.create(reporter=world.author, target=target, reason=FlagReason.SPAM)
    return _at(flag, key)


def _search_result(world, key):
    # Where the word is decides the rank (title 4, summary 2, body 1): ties on purpose.
    where = ("title", "summary", "body")[key % 3]
    return _learning(world, key, **{where: f"{WORDS[key % len(WORDS)]} {SEARCH_WORD}"})


def _linked(make, relation):
    """An item of a many-to-many list of the parent: made, then linked."""

    def build(world, key):
        item = make(world, key)
        getattr(world.parent, relation).add(item)
        return item

    return build


# (type, field) -> (parent maker or None, item maker, node type name of the items)
BUILDERS = {
    ("Query", "technologies"): (None, _technology, "Technology"),
    ("Query", "learnings"): (None, _learning, "Learning"),
    ("Query", "projects"): (None, _project, "Project"),
    ("Query", "challenges"): (None, _challenge, "Challenge"),
    ("Query", "resources"): (None, _resource, "Resource"),
    ("Query", "flags"): (None, _flag, "Flag"),
    ("Query", "searchResults"): (None, _search_result, "Learning"),
    ("Technology", "learnings"): (lambda w: TechnologyFactory(), None, "Learning"),
    ("Technology", "projects"): (lambda w: TechnologyFactory(), None, "Project"),
    ("Technology", "challenges"): (lambda w: TechnologyFactory(), None, "Challenge"),
    ("Technology", "resources"): (lambda w: TechnologyFactory(), None, "Resource"),
    ("Learning", "technologies"): (
        lambda w: LearningFactory(author=w.author),
        _linked(_technology, "technologies"),
        "Technology",
    ),
    ("Learning", "revisions"): (lambda w: LearningFactory(author=w.author), _revision, "Revision"),
    ("Project", "technologies"): (
        lambda w: ProjectFactory(),
        _linked(_technology, "technologies"),
        "Technology",
    ),
    ("Project", "challenges"): (
        lambda w: ProjectFactory(),
        lambda w, k: _challenge(w, k, project=w.parent),
        "Challenge",
    ),
    ("Challenge", "technologies"): (
        lambda w: ChallengeFactory(author=w.author),
        _linked(_technology, "technologies"),
        "Technology",
    ),
    ("Challenge", "solutions"): (
        lambda w: ChallengeFactory(author=w.author),
        lambda w, k: _solution(w, k, w.parent),
        "Solution",
    ),
    ("Challenge", "comments"): (
        lambda w: ChallengeFactory(author=w.author),
        lambda w, k: _comment(w, k, challenge=w.parent),
        "Comment",
    ),
    ("Challenge", "revisions"): (
        lambda w: ChallengeFactory(author=w.author),
        _revision,
        "Revision",
    ),
    ("Solution", "comments"): (
        lambda w: SolutionFactory(author=w.author),
        lambda w, k: _comment(w, k, solution=w.parent),
        "Comment",
    ),
    ("Solution", "revisions"): (lambda w: SolutionFactory(author=w.author), _revision, "Revision"),
    ("Comment", "replies"): (
        lambda w: Comment.objects.create(
            challenge=ChallengeFactory(author=w.author), author=w.author, body="?"
        ),
        lambda w, k: _comment(w, k, challenge=w.parent.challenge, parent=w.parent),
        "Comment",
    ),
    ("Contributor", "challenges"): (lambda w: w.author, _challenge, "Challenge"),
    ("Contributor", "solutions"): (
        lambda w: w.author,
        lambda w, k: _solution(w, k, ChallengeFactory(author=ContributorFactory())),
        "Solution",
    ),
    ("Contributor", "learnings"): (lambda w: w.author, _learning, "Learning"),
    ("Resource", "technologies"): (
        lambda w: ResourceFactory(author=w.author),
        _linked(_technology, "technologies"),
        "Technology",
    ),
    ("Resource", "revisions"): (lambda w: ResourceFactory(author=w.author), _revision, "Revision"),
}


# Technology's reverse many-to-many lists: the item links the technology.
for _field, _make in (
    ("learnings", _learning),
    ("projects", _project),
    ("challenges", _challenge),
    ("resources", _resource),
):
    _parent, _, _node = BUILDERS[("Technology", _field)]
    BUILDERS[("Technology", _field)] = (_parent, _linked(_make, _field), _node)


def test_every_connection_of_the_schema_has_a_builder():
    assert {(t, f) for t, f, _ in CONNECTIONS} == set(BUILDERS)


# ---------------------------------------------------------------- the walk

PAGE = """
pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
edges { cursor node { ... on Node { id } } }
"""


def _document(type_name: str, field: str, order: str | None) -> str:
    arguments = "first: $first, after: $after, last: $last, before: $before"
    if order:
        arguments += f", orderBy: {order}"
    if field == "searchResults":
        arguments += f', query: "{SEARCH_WORD}"'
    selection = f"list: {field}({arguments}) {{ {PAGE} }}"
    variables = "$first: Int, $after: String, $last: Int, $before: String"
    if type_name == "Query":
        return f"query({variables}) {{ {selection} }}"
    nested = f"node(id: $parent) {{ ... on {type_name} {{ {selection} }} }}"
    return f"query($parent: ID!, {variables}) {{ {nested} }}"


class Walker:
    def __init__(self, client, type_name, field, order, parent_id):
        self.client, self.document = client, _document(type_name, field, order)
        self.root = type_name == "Query"
        self.parent_id = parent_id

    def load(self, **page) -> dict:
        variables = {"parent": self.parent_id, **page} if not self.root else page
        data = self.client.query(self.document, variables)
        return data["list"] if self.root else data["node"]["list"]

    def everything(self) -> list[str]:
        return [edge["node"]["id"] for edge in self.load(first=100)["edges"]]


def _check_page_info(connection: dict, everything: list[str]):
    ids = [edge["node"]["id"] for edge in connection["edges"]]
    if not ids:
        return
    start, end = everything.index(ids[0]), everything.index(ids[-1])
    assert everything[start : end + 1] == ids, "a page is a contiguous run of the list"
    info = connection["pageInfo"]
    assert info["hasPreviousPage"] == (start > 0)
    assert info["hasNextPage"] == (end < len(everything) - 1)
    assert info["startCursor"] == connection["edges"][0]["cursor"]
    assert info["endCursor"] == connection["edges"][-1]["cursor"]


changes = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 50)),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("delete cursor row"), st.just(0)),
    ),
    max_size=3,
)
walks = st.fixed_dictionaries(
    {
        "initial": st.lists(st.integers(0, 50), min_size=0, max_size=9),
        "forwards": st.booleans(),
        "pages": st.lists(st.tuples(st.integers(1, 4), changes), min_size=1, max_size=12),
    }
)


@pytest.mark.parametrize(
    "type_name, field, order",
    CONNECTIONS,
    ids=[f"{t}.{f}" + (f"-{o}" if o else "") for t, f, o in CONNECTIONS],
)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(walk=walks)
def test_paging_sees_every_item_once_while_items_come_and_go(gql, type_name, field, order, walk):
    with transaction.atomic():
        _walk(gql, type_name, field, order, walk)
        transaction.set_rollback(True)  # each example starts from an empty hub


def _walk(gql, type_name, field, order, walk):
    make_parent, make_item, node_type = BUILDERS[(type_name, field)]
    moderator = staff_moderator()  # sees every list, flags included
    gql.login(moderator)
    world = World(author=ContributorFactory())
    if make_parent is not None:
        world.parent = make_parent(world)
    parent_id = None
    if world.parent is not None:
        parent_id = to_global_id(type_name, world.parent.pk)
    items = {}

    def insert(key):
        item = make_item(world, key)
        items[to_global_id(node_type, item.pk)] = item

    def delete(global_id):
        item = items.pop(global_id, None)
        if item is not None:
            type(item).objects.filter(pk=item.pk).delete()

    for key in walk["initial"]:
        insert(key)
    walker = Walker(gql, type_name, field, order, parent_id)
    initial = walker.everything()
    must_see, seen, cursor = set(initial), [], None
    for size, between in walk["pages"]:
        if walk["forwards"]:
            connection = walker.load(first=size, after=cursor)
        else:
            connection = walker.load(last=size, before=cursor)
        _check_page_info(connection, walker.everything())
        ids = [edge["node"]["id"] for edge in connection["edges"]]
        seen += ids if walk["forwards"] else ids[::-1]
        if not connection["pageInfo"]["hasNextPage" if walk["forwards"] else "hasPreviousPage"]:
            break
        assert ids, "an empty page with more beyond it"
        cursor = connection["pageInfo"]["endCursor" if walk["forwards"] else "startCursor"]
        cursor_row = ids[-1] if walk["forwards"] else ids[0]
        for change, key in between:
            if change == "insert":
                insert(key)
            elif change == "delete" and items:
                victim = sorted(items)[key % len(items)]
                must_see.discard(victim)
                delete(victim)
            elif change == "delete cursor row" and cursor_row in items:
                must_see.discard(cursor_row)
                delete(cursor_row)
    else:
        return  # the walk stopped before the end: its pages were checked, not its total
    assert len(seen) == len(set(seen)), f"an item was seen twice: {seen}"
    missing = must_see - set(seen)
    assert not missing, f"items present all along were never seen: {missing}"
    # In the list's order: as the list now shows the items still there.
    final = walker.everything()
    still_there = [item for item in seen if item in set(final)]
    expected = [item for item in final if item in set(still_there)]
    assert still_there == (expected if walk["forwards"] else expected[::-1])
