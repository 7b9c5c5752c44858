"""A viewer sees only what it may, on every path the schema has.

The walk is generated from the live schema (introspection over HTTP): from every
root field, and from `node` of every id the fixture created, every object and
connection field is followed to depth 4, as an anonymous viewer, another
contributor, the author and a moderator, over content in every status. Each
response is checked against the rule computed here from the database rows,
independently of hub.permissions:

- moderators see everything;
- a learning or challenge: published, or the viewer wrote it;
- a solution: as above for itself, and only while its challenge is visible;
- a comment: as above for itself, and only while its target is visible;
- a revision: while the object it belongs to is visible; a flag: moderators only.

No object the viewer may not see may appear, no marker text of such an object
may appear anywhere in the response, every count is the number of items listed,
and every object a viewer may see is reached by some path (the moderator's
responses contain every object). A field added to the schema is walked without
editing this file.
"""

import json
from dataclasses import dataclass, field, replace

import pytest
from graphql import get_named_type, get_operation_ast, parse
from graphql_relay import from_global_id, to_global_id

from hub.models import (
    Challenge,
    Comment,
    ContentStatus,
    Contributor,
    Flag,
    Learning,
    Project,
    Resource,
    Revision,
    Solution,
    Technology,
)
from schema import compiled
from schema.compiled.plan import _root_fields, plans_field
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
from tests.schema.helpers import client_for

STATUSES = [
    ContentStatus.PUBLISHED,
    ContentStatus.PENDING,
    ContentStatus.REJECTED,
    ContentStatus.HIDDEN,
]
MAX_DEPTH = 4  # levels of objects, the root field's included
ROOT_PAGE, NESTED_PAGE = 100, 10  # the fixture's lists are shorter than NESTED_PAGE
# Kept under the server's limits (500 fields, cost 500,000, 30 aliases).
FIELD_BUDGET, COST_BUDGET, ROOTS_PER_DOCUMENT = 450, 450_000, 20
SEARCH_TEXT = "MARK"
# Revisions and comments on solutions: on the published and the hidden variants only,
# to keep the walk small (the other statuses behave like hidden for them).
EDGE_STATUSES = (ContentStatus.PUBLISHED, ContentStatus.HIDDEN)
# Leaves worth reading: text (where a marker would show) and enums (status). Numbers,
# flags and dates cannot carry a marker; counts are checked on connections.
TEXT_SCALARS = {"ID", "String"}


# --- The fixture: every moderated kind in every status, each with a marker ----------------


@dataclass
class Hub:
    alice: Contributor  # the author of nearly everything
    bob: Contributor  # writes the content alice answers or replies to
    carol: Contributor  # another contributor, with nothing of her own
    moderator: Contributor
    markers: dict = field(default_factory=dict)  # global id -> marker text
    objects: dict = field(default_factory=dict)  # global id -> model instance

    def mark(self, type_name: str, obj) -> str:
        marker = f"[MARK-{type_name}-{obj.pk}]"
        self.markers[to_global_id(type_name, obj.pk)] = marker
        self.objects[to_global_id(type_name, obj.pk)] = obj
        return marker


TYPE_OF_MODEL = {
    Technology: "Technology",
    Project: "Project",
    Learning: "Learning",
    Resource: "Resource",
    Challenge: "Challenge",
    Solution: "Solution",
    Comment: "Comment",
    Revision: "Revision",
    Flag: "Flag",
    Contributor: "Contributor",
}
MODEL_OF_TYPE = {name: model for model, name in TYPE_OF_MODEL.items()}


def _marked(hub: Hub, type_name: str, obj, **texts):
    marker = hub.mark(type_name, obj)
    for name, text in texts.items():
        setattr(obj, name, f"{text} {marker}")
    obj.save()
    return obj


def _comment(hub, author, body, *, status=ContentStatus.PUBLISHED, parent=None, **target):
    comment = Comment.objects.create(
        author=author, body="-", status=status, parent=parent, **target
    )
    return _marked(hub, "Comment", comment, body=body)


def _revision(hub, target, editor):
    revision = Revision.objects.create(target=target, editor=editor, title="Earlier", body="-")
    return _marked(hub, "Revision", revision, title="Earlier", body="Earlier text")


def build_hub() -> Hub:
    hub = Hub(
        alice=ContributorFactory(user__username="alice"),
        bob=ContributorFactory(user__username="bob"),
        carol=ContributorFactory(user__username="carol"),
        moderator=ContributorFactory(user__username="mod", user__is_staff=True),
    )
    for contributor in (hub.alice, hub.bob, hub.carol, hub.moderator):
        hub.objects[to_global_id("Contributor", contributor.pk)] = contributor
    tech = _marked(hub, "Technology", TechnologyFactory(name="Walk tech"), learned="Learned")
    project = _marked(hub, "Project", ProjectFactory(title="Walk project"), description="Built")

    def challenge(author, status):
        obj = ChallengeFactory(author=author, status=status, project=project, title="-")
        _marked(hub, "Challenge", obj, title=f"Challenge {status}", description="Problem")
        obj.technologies.add(tech)
        return obj

    def solution(author, on, status, accepted=False):
        obj = SolutionFactory(author=author, challenge=on, status=status, is_accepted=accepted)
        return _marked(hub, "Solution", obj, body=f"Solution {status}")

    for status in STATUSES:
        learning = LearningFactory(author=hub.alice, status=status, title="-")
        _marked(hub, "Learning", learning, title=f"Learning {status}", body="Learned")
        learning.technologies.add(tech)
        if status in EDGE_STATUSES:
            _revision(hub, learning, hub.alice)

    for n, status in enumerate(STATUSES):
        resource = ResourceFactory(
            author=hub.alice, status=status, title="-", url=f"https://walk.example/{n}"
        )
        _marked(hub, "Resource", resource, title=f"Resource {status}", summary="Linked")
        resource.technologies.add(tech)
        if status in EDGE_STATUSES:
            _revision(hub, resource, hub.alice)

    public = challenge(hub.alice, ContentStatus.PUBLISHED)
    _revision(hub, public, hub.alice)
    for status in STATUSES:
        # The hidden one is the accepted answer: acceptedSolution must not show it.
        answer = solution(hub.alice, public, status, accepted=status == ContentStatus.HIDDEN)
        if status in EDGE_STATUSES:
            _revision(hub, answer, hub.alice)
            # A hidden solution's comment is hidden with it.
            _comment(hub, hub.bob, f"On solution {status}", solution=answer)
        top = _comment(hub, hub.alice, f"Comment {status}", status=status, challenge=public)
        # Replies to comments in every status: a reply's parent is null where it is hidden.
        _comment(hub, hub.bob, f"Reply to {status}", parent=top, challenge=public)
    for status in STATUSES[1:]:
        unpublished = challenge(hub.alice, status)
        # Another's published answer on alice's unpublished challenge.
        theirs = solution(hub.bob, unpublished, ContentStatus.PUBLISHED, accepted=True)
        if status == ContentStatus.HIDDEN:
            _revision(hub, unpublished, hub.alice)
            _comment(hub, hub.bob, "On their solution", solution=theirs)
        else:
            _comment(hub, hub.bob, "On an unpublished challenge", challenge=unpublished)
    # Alice's own answer, comment and reply under bob's hidden challenge: she may not
    # see them (her solution's challenge is non-null and must not leak).
    bobs = challenge(hub.bob, ContentStatus.HIDDEN)
    own = solution(hub.alice, bobs, ContentStatus.PUBLISHED)
    _comment(hub, hub.alice, "Own comment on a hidden challenge", solution=own)
    bobs_comment = _comment(hub, hub.bob, "Bob's comment", challenge=bobs)
    _comment(hub, hub.alice, "Own reply", parent=bobs_comment, challenge=bobs)

    flag = Flag.objects.create(reporter=hub.carol, target=public, reason="SPAM", note="-")
    _marked(hub, "Flag", flag, note="Flag note")
    return hub


# --- The rule, from the rows -----------------------------------------------------------


def may_see(viewer: Contributor | None, obj) -> bool:
    if viewer is not None and viewer.user.is_staff:
        return True

    def own_rule(content) -> bool:
        return content.status == ContentStatus.PUBLISHED or (
            viewer is not None and content.author_id == viewer.pk
        )

    if isinstance(obj, Learning | Challenge | Resource):
        return own_rule(obj)
    if isinstance(obj, Solution):
        return own_rule(obj) and may_see(viewer, obj.challenge)
    if isinstance(obj, Comment):
        return own_rule(obj) and may_see(viewer, obj.challenge or obj.solution)
    if isinstance(obj, Revision):
        return may_see(viewer, obj.target)
    return not isinstance(obj, Flag)


# --- Documents generated from the schema ---------------------------------------------------

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
INTROSPECTION = f"""
{{ __schema {{
  queryType {{ name }}
  types {{
    kind name
    possibleTypes {{ name }}
    fields {{ name type {{ {TYPE_REF} }} args {{ name type {{ {TYPE_REF} }} }} }}
  }}
}} }}
"""


def _named(type_ref: dict) -> str:
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    return type_ref["name"]


def _required(type_ref: dict) -> bool:
    return type_ref["kind"] == "NON_NULL"


@dataclass(frozen=True)
class Sel:
    """One selected object: a field (maybe a connection) or an inline fragment."""

    name: str  # the field's name, or the fragment's type condition
    kind: str  # "field", "connection" or "fragment"
    arguments: str = ""
    alias: str = ""
    leaves: tuple = ()
    children: tuple = ()
    page: int = 1  # the page size of a connection or paged list

    def render(self) -> str:
        inner = " ".join((*self.leaves, *(child.render() for child in self.children)))
        if self.kind == "fragment":
            return f"... on {self.name} {{ {inner} }}"
        head = f"{self.alias}: {self.name}" if self.alias else self.name
        head += f"({self.arguments})" if self.arguments else ""
        if self.kind == "connection":
            return f"{head} {{ totalCount edges {{ node {{ {inner} }} }} }}"
        return f"{head} {{ {inner} }}" if inner else head

    def measure(self, multiplier: int = 1) -> tuple[int, int]:
        """(fields, cost) the server counts: every field, and the nodes it could return."""
        own = {"fragment": 0, "field": 1, "connection": 4}[self.kind]
        multiplier *= self.page
        fields, cost = own + len(self.leaves), multiplier if self.kind != "fragment" else 0
        for child in self.children:
            child_fields, child_cost = child.measure(multiplier)
            fields, cost = fields + child_fields, cost + child_cost
        return fields, cost


class SchemaWalk:
    def __init__(self, introspection: dict):
        schema = introspection["__schema"]
        self.types = {t["name"]: t for t in schema["types"]}
        self.query_type = schema["queryType"]["name"]

    def is_connection(self, type_name: str) -> bool:
        fields = {f["name"] for f in self.types[type_name].get("fields") or []}
        return {"edges", "pageInfo"} <= fields

    def node_type_of(self, connection: str) -> str:
        edges = next(f for f in self.types[connection]["fields"] if f["name"] == "edges")
        edge = self.types[_named(edges["type"])]
        return _named(next(f for f in edge["fields"] if f["name"] == "node")["type"])

    def _is_enum(self, type_name: str, field_name: str) -> bool:
        field_def = next(f for f in self.types[type_name]["fields"] if f["name"] == field_name)
        return self.types[_named(field_def["type"])]["kind"] == "ENUM"

    def root_fields(self) -> list[dict]:
        return self.types[self.query_type]["fields"]

    def selection(self, field_def: dict, depth: int, *, arguments="", alias="", only=None) -> Sel:
        """`field_def` walked to MAX_DEPTH; `only` narrows an interface to one type."""
        type_name = _named(field_def["type"])
        kind = "field"
        page = 1
        paged = any(arg["name"] == "first" for arg in field_def["args"])
        if self.is_connection(type_name):
            kind, type_name = "connection", self.node_type_of(type_name)
        if paged:  # a connection, or a plain list with a page size (search)
            page = ROOT_PAGE if depth == 1 else NESTED_PAGE
            arguments = ", ".join(filter(None, [f"first: {page}", arguments]))
        leaves, children = self.contents(type_name, depth, only)
        return Sel(field_def["name"], kind, arguments, alias, leaves, children, page)

    def contents(self, type_name: str, depth: int, only=None) -> tuple[tuple, tuple]:
        """The leaves and object children selected on an object, interface or union."""
        type_def = self.types[type_name]
        if type_def["kind"] in ("SCALAR", "ENUM"):
            return (), ()
        if type_def["kind"] in ("INTERFACE", "UNION"):
            possible = [t["name"] for t in type_def["possibleTypes"]]
            fragments = []
            for name in possible if only is None else [only]:
                leaves, children = self.contents(name, depth)
                # Members may share a field name with different enum types (Learning.kind,
                # Resource.kind): GraphQL wants those apart, so each member's are aliased.
                leaves = tuple(
                    f"{name}_{leaf}: {leaf}"
                    if leaf != "__typename" and self._is_enum(name, leaf)
                    else leaf
                    for leaf in leaves
                )
                fragments.append(Sel(name, "fragment", leaves=leaves, children=children))
            return ("__typename",), tuple(fragments)
        leaves, children = ["__typename"], []
        for sub in type_def["fields"]:
            if any(_required(arg["type"]) for arg in sub["args"]):
                continue  # no nested field needs an argument today; root fields get theirs
            target = self.types[_named(sub["type"])]
            if target["kind"] in ("SCALAR", "ENUM"):
                if target["kind"] == "ENUM" or target["name"] in TEXT_SCALARS:
                    leaves.append(sub["name"])
            elif depth < MAX_DEPTH:
                children.append(self.selection(sub, depth + 1))
        return tuple(leaves), tuple(children)


def split(sel: Sel, fields_budget: int, cost_budget: int, multiplier: int = 1) -> list[Sel]:
    """`sel` as several selections, each within the budgets, together selecting all of it."""
    fields, cost = sel.measure(multiplier)
    if fields <= fields_budget and cost <= cost_budget:
        return [sel]
    shell = replace(sel, children=())
    own_fields, own_cost = shell.measure(multiplier)
    inner = multiplier * sel.page
    parts, current, used = [], [], (own_fields, own_cost)
    for child in sel.children:
        for piece in split(child, fields_budget - own_fields, cost_budget - own_cost, inner):
            piece_fields, piece_cost = piece.measure(inner)
            if current and (
                used[0] + piece_fields > fields_budget or used[1] + piece_cost > cost_budget
            ):
                parts.append(current)
                current, used = [], (own_fields, own_cost)
            current.append(piece)
            used = (used[0] + piece_fields, used[1] + piece_cost)
    parts.append(current)
    return [replace(sel, children=tuple(part)) for part in parts]


def documents(roots: list[Sel]) -> list[str]:
    """Root selections packed into as few documents as the limits allow (first fit,
    largest first)."""
    pieces = [piece for root in roots for piece in split(root, FIELD_BUDGET, COST_BUDGET)]
    pieces.sort(key=lambda piece: piece.measure(), reverse=True)
    docs: list[list] = []  # [fields, cost, pieces]
    for piece in pieces:
        fields, cost = piece.measure()
        for doc in docs:
            if (
                len(doc[2]) < ROOTS_PER_DOCUMENT
                and doc[0] + fields <= FIELD_BUDGET
                and doc[1] + cost <= COST_BUDGET
            ):
                break
        else:
            doc = [0, 0, []]
            docs.append(doc)
        doc[0], doc[1] = doc[0] + fields, doc[1] + cost
        doc[2].append(piece)
    return ["{ " + " ".join(piece.render() for piece in doc[2]) + " }" for doc in docs]


def root_selections(walk: SchemaWalk, hub: Hub) -> list[Sel]:
    """Every root field, once per fixture value of its required arguments."""
    by_type: dict[str, list] = {}
    for gid, obj in hub.objects.items():
        by_type.setdefault(from_global_id(gid)[0], []).append((gid, obj))
    roots, n = [], 0
    for root in walk.root_fields():
        required = [arg for arg in root["args"] if _required(arg["type"])]
        type_name = _named(root["type"])
        if not required:
            roots.append(walk.selection(root, 1, alias=f"r{n}"))
            n += 1
            continue
        assert len(required) == 1, f"teach the walk the arguments of {root['name']}"
        arg = required[0]["name"]
        if arg == "id":  # node(id): every id, narrowed to the id's own type
            values = [(json.dumps(gid), from_global_id(gid)[0]) for gid in hub.objects]
        elif arg == "query":
            values = [(json.dumps(SEARCH_TEXT), None)]
        elif arg in ("slug", "username"):
            objects = [obj for _, obj in by_type.get(type_name, [])]
            values = [(json.dumps(getattr(obj, arg)), None) for obj in objects]
        else:
            raise AssertionError(f"no fixture value for {root['name']}({arg}:)")
        assert values, f"the fixture has nothing to pass to {root['name']}({arg}:)"
        for value, only in values:
            roots.append(
                walk.selection(root, 1, arguments=f"{arg}: {value}", alias=f"r{n}", only=only)
            )
            n += 1
    return roots


# --- Running the walk ------------------------------------------------------------------


def collect(value, found: list, counts: list) -> None:
    """Every object (with `id`) in a response, and every (totalCount, edges) pair."""
    if isinstance(value, dict):
        if "id" in value and "__typename" in value:
            found.append((value["__typename"], value["id"], value.get("status")))
        if "totalCount" in value and "edges" in value:
            counts.append((value["totalCount"], len(value["edges"])))
        for item in value.values():
            collect(item, found, counts)
    elif isinstance(value, list):
        for item in value:
            collect(item, found, counts)


@dataclass
class Seen:
    requests: int = 0
    ids: set = field(default_factory=set)
    leaks: list = field(default_factory=list)
    text_leaks: list = field(default_factory=list)
    bad_counts: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # any but a moderators-only root's refusal


ALLOWED_ERRORS = {"FORBIDDEN", "UNAUTHENTICATED"}  # moderators-only root fields


def expectations(viewer) -> dict[str, bool]:
    """Global id -> whether the viewer may see it, for every row of every type with an id."""
    return {
        to_global_id(type_name, row.pk): may_see(viewer, row)
        for model, type_name in TYPE_OF_MODEL.items()
        for row in model._default_manager.all()
    }


def walk_as(client: GraphQLClient, viewer, hub: Hub, docs: list[str]) -> Seen:
    seen = Seen()
    expected = expectations(viewer)
    hidden_markers = [marker for gid, marker in hub.markers.items() if not expected[gid]]
    for doc in docs:
        response = client.post(doc)
        seen.requests += 1
        assert response.status_code == 200, response.content[:500]
        payload = response.json()
        for error in payload.get("errors", []):
            code = error.get("extensions", {}).get("code")
            if code not in ALLOWED_ERRORS or len(error.get("path") or []) != 1:
                seen.errors.append(error)
        text = response.content.decode()
        seen.text_leaks += [marker for marker in hidden_markers if marker in text]
        found, counts = [], []
        collect(payload.get("data"), found, counts)
        seen.bad_counts += [c for c in counts if c[0] != c[1]]
        for type_name, gid, status in found:
            seen.ids.add(gid)
            if not expected[gid]:
                seen.leaks.append((type_name, gid, status, hub.markers.get(gid)))
    return seen


@pytest.fixture
def hub(db) -> Hub:
    return build_hub()


@pytest.fixture
def walk_documents(hub) -> list[str]:
    introspection = GraphQLClient().query(INTROSPECTION)
    return documents(root_selections(SchemaWalk(introspection), hub))


@pytest.fixture
def flat_documents(hub) -> list[str]:
    """Every root field with its own leaves only, one per document: the shapes the
    compiled read path (schema.compiled) plans, so the walk holds on that path too."""
    introspection = GraphQLClient().query(INTROSPECTION)
    roots = root_selections(SchemaWalk(introspection), hub)
    return ["{ " + replace(root, children=()).render() + " }" for root in roots]


def planned_part(sel: Sel, type_name: str) -> Sel:
    """`sel` (an object of `type_name`) without what the compiled read path does not plan,
    at any depth: the nested lists and relations it plans stay, so they are walked on
    that path too."""
    object_type = schema.graphql_schema.type_map[type_name]
    leaves = tuple(leaf for leaf in sel.leaves if plans_field(object_type, leaf.split(": ")[-1]))
    children = []
    for child in sel.children:
        if child.kind == "fragment":
            if child.name == type_name:
                children.append(planned_part(child, type_name))
            continue
        if not plans_field(object_type, child.name):
            continue
        children.append(planned_part(child, _object_type_of(object_type, child)))
    return replace(sel, leaves=leaves, children=tuple(children))


def _object_type_of(parent_type, sel: Sel) -> str:
    """The type of the objects `sel` selects: a connection's node type."""
    selected = get_named_type(parent_type.fields[sel.name].type)
    if sel.kind == "connection":
        edges = get_named_type(selected.fields["edges"].type)
        selected = get_named_type(edges.fields["node"].type)
    return selected.name


@pytest.fixture
def planned_walk_documents(hub) -> list[str]:
    """The walk's documents cut down to what the compiled read path plans."""
    introspection = GraphQLClient().query(INTROSPECTION)
    query_type = schema.graphql_schema.query_type
    planned_roots = _root_fields(query_type)
    roots = []
    for root in root_selections(SchemaWalk(introspection), hub):
        if root.name not in planned_roots:
            continue
        roots.append(planned_part(root, _object_type_of(query_type, root)))
    return documents(roots)


def planned_only(docs: list[str]) -> list[str]:
    """The documents the compiled read path has a plan for: the others would take the
    reference path again, walked already by the reference run."""
    kept = []
    for doc in docs:
        ast = parse(doc)
        operation = get_operation_ast(ast)
        if compiled.plan_for(schema.graphql_schema, ast, operation, {}, doc) is not None:
            kept.append(doc)
    return kept


VIEWERS = ["anonymous", "another contributor", "author", "moderator"]
READ_PATHS = ["reference", "planned"]


def viewer_of(hub: Hub, name: str) -> Contributor | None:
    return {
        "anonymous": None,
        "another contributor": hub.carol,
        "author": hub.alice,
        "moderator": hub.moderator,
    }[name]


@pytest.mark.parametrize("read_path", READ_PATHS)
@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_no_path_shows_a_viewer_what_it_may_not_see(
    hub, walk_documents, flat_documents, planned_walk_documents, viewer_name, read_path, settings
):
    settings.NEXUS_COMPILED_READS = read_path == "planned"
    settings.GRAPHQL_RESPONSE_CACHE = False  # each path answers for itself
    viewer = viewer_of(hub, viewer_name)
    client = client_for(viewer) if viewer else GraphQLClient()
    before = compiled.paths["planned"]

    docs = walk_documents + flat_documents
    if read_path == "planned":
        nested = planned_only(planned_walk_documents)
        assert len(nested) == len(planned_walk_documents), "the planner refused a pruned one"
        docs = planned_only(docs) + nested
    seen = walk_as(client, viewer, hub, docs)

    planned = compiled.paths["planned"] - before
    if read_path == "planned":  # the planned path really answered part of the walk
        assert planned >= 10, planned
    else:
        assert planned == 0

    assert seen.errors == []
    assert seen.leaks == []
    assert seen.text_leaks == []
    assert seen.bad_counts == [], "a count differs from the items listed (hidden rows counted?)"
    if read_path == "planned":
        return  # the planned documents reach what they plan; the reference run reaches all
    visible = {gid for gid, obj in hub.objects.items() if may_see(viewer, obj)}
    # Every object it may see is reached (a moderator: every object of the fixture).
    assert visible - seen.ids == set()
    if viewer_name == "moderator":
        assert visible == set(hub.objects)


def test_the_walk_covers_every_kind_and_status_in_few_requests(hub, walk_documents):
    assert {from_global_id(gid)[0] for gid in hub.objects} == set(MODEL_OF_TYPE)
    for model in (Learning, Resource, Challenge, Solution, Comment):
        statuses = {obj.status for obj in hub.objects.values() if isinstance(obj, model)}
        assert statuses == set(STATUSES), model
    assert 10 <= len(walk_documents) <= 150, len(walk_documents)
