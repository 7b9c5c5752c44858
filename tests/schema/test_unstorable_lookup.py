"""A username no database can store names nobody: null, not an internal error."""

import pytest


@pytest.mark.parametrize("username", ["bad\x00name", "bad\ud800name"])
def test_contributor_with_an_unstorable_username_is_null(gql, username):
    data = gql.query("query($u: String!) { contributor(username: $u) { id } }", {"u": username})
    assert data == {"contributor": None}
