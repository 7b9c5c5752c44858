"""Text the database cannot store or compare, in every text and id argument of every query.

PostgreSQL refuses NUL in text and no UTF-8 encoder takes a lone surrogate: such a value
can match nothing stored, so a lookup finds nothing and a filter or search matches
nothing, on both databases alike, never an INTERNAL_ERROR. Generated from the schema,
down the connections of every root field: a new argument is tested without being listed.
"""

import pytest
from graphql import GraphQLNonNull, get_named_type, is_composite_type, is_leaf_type

from schema.schema import schema
from tests.schema.helpers import client_for, staff_moderator

BAD_TEXT = {"NUL": "bad\x00text", "lone surrogate": "bad\ud800text"}
QUERY = schema.graphql_schema.query_type


def _text_arguments(field):
    for name, arg in field.args.items():
        named = get_named_type(arg.type)
        if named.name in ("String", "ID") and is_leaf_type(named):
            yield name


def _required_filler(field, spoiled: str) -> str:
    """The other required arguments, with harmless values."""
    parts = []
    for name, arg in field.args.items():
        if name != spoiled and isinstance(arg.type, GraphQLNonNull):
            parts.append(f'{name}: "x"' if get_named_type(arg.type).name == "String" else "")
    return ", ".join(p for p in parts if p)


def _selection(field) -> str:
    return "{ __typename }" if is_composite_type(get_named_type(field.type)) else ""


def _cases():
    for root_name, root in QUERY.fields.items():
        for arg in _text_arguments(root):
            yield pytest.param(root_name, None, arg, id=f"{root_name}.{arg}")
        # One level down: the arguments of nested connections (e.g. technology.challenges).
        root_type = get_named_type(root.type)
        for name, field in getattr(root_type, "fields", {}).items():
            for arg in _text_arguments(field):
                yield pytest.param(root_name, name, arg, id=f"{root_name}.{name}.{arg}")


def _document(root_name: str, nested: str | None, arg: str) -> str:
    root = QUERY.fields[root_name]
    if nested is None:
        args = ", ".join(a for a in (f"{arg}: $v", _required_filler(root, arg)) if a)
        kind = root.args[arg].type  # as declared: `String` for a `String!` would not validate
        return f"query($v: {kind}) {{ {root_name}({args}) {_selection(root)} }}"
    field = get_named_type(root.type).fields[nested]
    outer = _required_filler(root, "")
    outer = f"({outer})" if outer else ""
    args = ", ".join(a for a in (f"{arg}: $v", _required_filler(field, arg)) if a)
    kind = field.args[arg].type
    return f"query($v: {kind}) {{ {root_name}{outer} {{ {nested}({args}) {_selection(field)} }} }}"


@pytest.mark.parametrize("kind", BAD_TEXT)
@pytest.mark.parametrize(("root_name", "nested", "arg"), list(_cases()))
def test_unstorable_text_in_a_query_argument_finds_nothing(db, root_name, nested, arg, kind):
    client = client_for(staff_moderator())

    response = client.post(_document(root_name, nested, arg), {"v": BAD_TEXT[kind]})

    assert response.status_code < 500, response.content
    body = response.json()
    assert "data" in body and body["data"] is not None, body  # executed, not refused unread
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    assert not codes & {"INTERNAL_ERROR", "SERVICE_UNAVAILABLE"}, body
