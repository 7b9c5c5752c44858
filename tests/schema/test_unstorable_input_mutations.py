"""Text the database cannot store or compare, in every text and id input of every mutation.

PostgreSQL's text columns refuse NUL (SQLite keeps it) and no UTF-8 encoder takes a lone
surrogate (JSON's "\\ud800"): on both databases alike each such input is refused on its
own field (INVALID; an id that cannot be decoded is NOT_FOUND) and nothing is written.
The cases are generated from the schema: a new text input is tested without being listed.
"""

from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, get_named_type
from graphql_jwt.shortcuts import create_refresh_token, get_token

from hub.models import Comment, Flag, Revision
from schema.schema import schema
from tests.factories import (
    PASSWORD,
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    ResourceFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import client_for, global_id
from tests.schema.mutation_helpers import anonymous, row_counts

BAD_TEXT = {"NUL": "bad\x00text", "lone surrogate": "bad\ud800text"}
# graphql_jwt's own mutations have no `errors` list: a token or credentials that cannot be
# stored are refused like any bad one, as a top-level UNAUTHENTICATED.
LIBRARY_MUTATIONS = {"tokenAuth", "verifyToken", "refreshToken", "revokeToken"}


@dataclass
class World:
    member: object
    moderator: object
    tech: object
    project: object
    challenge: object
    solution: object
    learning: object
    comment: object
    flag: object
    revision: object
    refresh_token: str
    resource: object


@pytest.fixture
def world(db):
    member, other = ContributorFactory(), ContributorFactory()
    challenge = ChallengeFactory(author=member)
    solution = SolutionFactory(challenge=challenge, author=member)
    others_solution = SolutionFactory(challenge=challenge, author=other)
    flag = Flag.objects.create(reporter=other, target=solution, reason="SPAM")
    revision = Revision.objects.create(
        content_type=ContentType.objects.get_for_model(solution),
        object_id=solution.pk,
        editor=member,
        title="",
        body="Older text.",
    )
    return World(
        member=member,
        moderator=ContributorFactory(user__is_staff=True),
        tech=TechnologyFactory(),
        project=ProjectFactory(),
        challenge=challenge,
        solution=others_solution,
        learning=LearningFactory(author=member),
        comment=Comment.objects.create(challenge=challenge, author=other, body="Hm."),
        flag=flag,
        revision=revision,
        refresh_token=str(create_refresh_token(member.user)),
        resource=ResourceFactory(author=member),
    )


def _challenge_fields(w):
    return {
        "title": "A title",
        "description": "A description.",
        "project": w.project.slug,
        "technologies": [w.tech.slug],
    }


# A valid call of every mutation: (who calls it, its arguments).
VALID_CALLS = {
    "register": (
        None,
        lambda w: {
            "input": {
                "username": "newcomer",
                "email": "newcomer@example.com",
                "password": PASSWORD,
                "displayName": "Newcomer",
            }
        },
    ),
    "tokenAuth": (None, lambda w: {"username": w.member.username, "password": PASSWORD}),
    "verifyToken": (None, lambda w: {"token": get_token(w.member.user)}),
    "refreshToken": (None, lambda w: {"refreshToken": w.refresh_token}),
    "revokeToken": (None, lambda w: {"refreshToken": w.refresh_token}),
    "updateProfile": (
        "member",
        lambda w: {"input": {"displayName": "Ada", "bio": "Bio.", "discordHandle": "ada#1"}},
    ),
    "submitChallenge": ("member", lambda w: {"input": _challenge_fields(w)}),
    "updateChallenge": (
        "member",
        lambda w: {"input": {"id": global_id("Challenge", w.challenge), **_challenge_fields(w)}},
    ),
    "deleteChallenge": (
        "moderator",
        lambda w: {"input": {"id": global_id("Challenge", w.challenge)}},
    ),
    "bulkSubmitChallenges": ("member", lambda w: {"input": {"challenges": [_challenge_fields(w)]}}),
    "submitSolution": (
        "member",
        lambda w: {"input": {"challengeId": global_id("Challenge", w.challenge), "body": "Try."}},
    ),
    "updateSolution": (
        "moderator",
        lambda w: {"input": {"id": global_id("Solution", w.solution), "body": "Edited."}},
    ),
    "deleteSolution": ("moderator", lambda w: {"input": {"id": global_id("Solution", w.solution)}}),
    "voteSolution": (
        "member",
        lambda w: {"input": {"solutionId": global_id("Solution", w.solution), "value": "UP"}},
    ),
    "acceptSolution": (
        "member",
        lambda w: {"input": {"solutionId": global_id("Solution", w.solution)}},
    ),
    "addComment": (
        "member",
        lambda w: {
            "input": {
                "targetId": global_id("Challenge", w.challenge),
                "parentId": global_id("Comment", w.comment),
                "body": "A reply.",
            }
        },
    ),
    "submitLearning": (
        "member",
        lambda w: {
            "input": {
                "title": "A learning",
                "kind": "CONCEPT",
                "summary": "In short.",
                "body": "At length.",
                "technologies": [w.tech.slug],
            }
        },
    ),
    "updateLearning": (
        "member",
        lambda w: {
            "input": {
                "id": global_id("Learning", w.learning),
                "title": "Retitled",
                "summary": "Shorter.",
                "body": "Longer.",
                "technologies": [w.tech.slug],
            }
        },
    ),
    "submitResource": (
        "member",
        lambda w: {
            "input": {
                "title": "A resource",
                "url": "https://docs.python.org/3/",
                "kind": "DOCS",
                "summary": "The language.",
                "technologies": [w.tech.slug],
            }
        },
    ),
    "updateResource": (
        "member",
        lambda w: {
            "input": {
                "id": global_id("Resource", w.resource),
                "title": "Retitled",
                "url": "https://docs.python.org/3.12/",
                "kind": "TUTORIAL",
                "summary": "Shorter.",
                "technologies": [w.tech.slug],
            }
        },
    ),
    "moderate": (
        "moderator",
        lambda w: {
            "input": {"id": global_id("Solution", w.solution), "action": "HIDE", "reason": "Spam."}
        },
    ),
    "flagContent": (
        "member",
        lambda w: {
            "input": {"id": global_id("Comment", w.comment), "reason": "OTHER", "note": "Rude."}
        },
    ),
    "resolveFlag": (
        "moderator",
        lambda w: {"input": {"id": global_id("Flag", w.flag), "note": "Ok."}},
    ),
    "restoreRevision": (
        "moderator",
        lambda w: {"input": {"id": global_id("Revision", w.revision)}},
    ),
}


def _text_leaves(type_, path=()):
    """(path, scalar name, is a list) of every String and ID inside an input type."""
    wrapped = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    is_list = isinstance(wrapped, GraphQLList)
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        for name, field in named.fields.items():
            yield from _text_leaves(field.type, (*path, *([0] if is_list else []), name))
    elif named.name in ("String", "ID"):
        yield path, named.name, is_list


MUTATIONS = schema.graphql_schema.mutation_type.fields
CASES = [
    pytest.param(
        name,
        path,
        scalar,
        is_list,
        kind,
        id=f"{name}.{'.'.join(map(str, path))}-{kind}",
    )
    for name, field in MUTATIONS.items()
    for arg_name, arg in field.args.items()
    for path, scalar, is_list in _text_leaves(arg.type, (arg_name,))
    for kind in BAD_TEXT
]


def test_every_mutation_has_a_valid_call_to_spoil():
    assert set(MUTATIONS) <= set(VALID_CALLS), "add the new mutation to VALID_CALLS"


def _document(name) -> str:
    field = MUTATIONS[name]
    declared = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    passed = ", ".join(f"{a}: ${a}" for a in field.args)
    selection = "__typename" if name in LIBRARY_MUTATIONS else "errors { field code index }"
    return f"mutation({declared}) {{ {name}({passed}) {{ {selection} }} }}"


def _spoil(variables, path, value):
    *parents, leaf = path
    target = variables
    for key in parents:
        target = target[key]
    target[leaf] = value


@pytest.mark.parametrize(("name", "path", "scalar", "is_list", "kind"), CASES)
def test_unstorable_text_is_refused_on_its_field_and_writes_nothing(
    world, name, path, scalar, is_list, kind
):
    role, valid = VALID_CALLS[name]
    variables = valid(world)
    bad = BAD_TEXT[kind]
    _spoil(variables, path, [bad] if is_list else bad)
    client = client_for(getattr(world, role)) if role else anonymous()
    before = row_counts()

    response = client.post(_document(name), variables)

    assert response.status_code == 200, response.content
    body = response.json()
    if name in LIBRARY_MUTATIONS:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], body
    else:
        assert "errors" not in body, body
        errors = body["data"][name]["errors"]
        expected = {"INVALID"} if scalar == "String" else {"INVALID", "NOT_FOUND"}
        index = path[-2] if isinstance(path[-2], int) else None
        assert any(
            e["field"] == path[-1] and e["code"] in expected and e["index"] == index for e in errors
        ), errors
    assert row_counts() == before


# Ids that decode to nothing of the expected type: empty, garbled, another type's.
BAD_IDS = {
    "empty": lambda w: "",
    "garbled": lambda w: "not-an-id",
    "another type's": lambda w: global_id("Technology", w.tech),
}
ID_CASES = [
    pytest.param(name, path, kind, id=f"{name}.{'.'.join(map(str, path))}-{kind}")
    for name, field in MUTATIONS.items()
    if name not in LIBRARY_MUTATIONS
    for arg_name, arg in field.args.items()
    for path, scalar, is_list in _text_leaves(arg.type, (arg_name,))
    if scalar == "ID"
    for kind in BAD_IDS
]


@pytest.mark.parametrize(("name", "path", "kind"), ID_CASES)
def test_an_id_of_nothing_is_not_found_on_its_field_and_writes_nothing(world, name, path, kind):
    role, valid = VALID_CALLS[name]
    variables = valid(world)
    _spoil(variables, path, BAD_IDS[kind](world))
    before = row_counts()

    response = client_for(getattr(world, role)).post(_document(name), variables)

    assert response.status_code == 200, response.content
    errors = response.json()["data"][name]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(path[-1], "NOT_FOUND")], errors
    assert row_counts() == before
