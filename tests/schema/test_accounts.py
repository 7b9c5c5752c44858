"""Accounts over HTTP: register, JWT sign-in/verify/refresh/revoke, `me`, updateProfile."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from graphql_jwt.refresh_token.models import RefreshToken
from graphql_jwt.utils import jwt_encode, jwt_payload

from hub.models import Contributor
from tests.factories import PASSWORD, ContributorFactory
from tests.schema.helpers import error_codes
from tests.schema.mutation_helpers import field_errors, refused, row_counts

NEW_PASSWORD = "plum-orbit-cascade-91"

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    contributor { id username displayName track reputation bio }
    token
    refreshToken
    errors { field message code }
  }
}
"""

TOKEN_AUTH = """
mutation TokenAuth($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken payload }
}
"""

VERIFY = """
mutation Verify($token: String!) { verifyToken(token: $token) { payload } }
"""

REFRESH = """
mutation Refresh($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { token refreshToken payload refreshExpiresIn }
}
"""

REVOKE = """
mutation Revoke($refreshToken: String!) { revokeToken(refreshToken: $refreshToken) { revoked } }
"""

ME = "query { me { username displayName track bio discordHandle reputation } }"

UPDATE_PROFILE = """
mutation UpdateProfile($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    contributor { username displayName bio discordHandle track }
    errors { field message code }
  }
}
"""


def registration(**overrides) -> dict:
    fields = {
        "username": "ada",
        "email": "ada@example.com",
        "password": NEW_PASSWORD,
        "displayName": "Ada L.",
        "track": "FRONTEND",
    }
    fields.update(overrides)
    return {"input": fields}


def sign_in(client, username, password=PASSWORD) -> dict:
    return client.query(TOKEN_AUTH, {"username": username, "password": password})["tokenAuth"]


def me(client, **headers):
    return client.query(ME, headers=headers or None)["me"]


def token_with(payload_changes: dict, user, key=None) -> str:
    payload = jwt_payload(user)
    payload.update(payload_changes)
    if key is None:
        return jwt_encode(payload)
    return jwt.encode(payload, key, algorithm="HS256")


def assert_refused_with_401(client, token, prefix="JWT"):
    response = client.post(ME, headers={"Authorization": f"{prefix} {token}"})
    assert response.status_code == 401
    body = response.json()
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "data" not in body or body["data"] is None


# --- register ---------------------------------------------------------------------------------


def test_register_creates_an_account_and_signs_it_in(gql):
    result = gql.query(REGISTER, registration())["register"]

    assert result["errors"] == []
    assert result["contributor"]["username"] == "ada"
    assert result["contributor"]["displayName"] == "Ada L."
    assert result["contributor"]["track"] == "FRONTEND"
    assert result["contributor"]["reputation"] == 0
    assert result["token"] and result["refreshToken"]
    user = get_user_model().objects.get(username="ada")
    assert user.email == "ada@example.com"
    assert user.check_password(NEW_PASSWORD)

    gql.token = result["token"]
    assert me(gql)["username"] == "ada"


def test_a_registered_contributor_signs_in_with_the_password(gql):
    gql.query(REGISTER, registration())

    tokens = sign_in(gql, "ada", NEW_PASSWORD)

    assert tokens["payload"]["username"] == "ada"
    gql.token = tokens["token"]
    assert me(gql)["displayName"] == "Ada L."


def test_register_reports_missing_fields_and_writes_nothing(gql):
    before = row_counts()

    result = gql.query(REGISTER, {"input": {}})["register"]

    assert field_errors(result) == {
        ("username", "REQUIRED"),
        ("email", "REQUIRED"),
        ("password", "REQUIRED"),
    }
    assert (result["contributor"], result["token"], result["refreshToken"]) == (None, None, None)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"username": "no spaces allowed"}, ("username", "INVALID")),
        ({"username": "u" * 151}, ("username", "TOO_LONG")),
        ({"email": "nope"}, ("email", "INVALID")),
        ({"displayName": "n" * 81}, ("displayName", "TOO_LONG")),
        ({"displayName": "Casino Bonus King"}, ("displayName", "INVALID")),
        ({"password": "short"}, ("password", "INVALID")),
        ({"password": "password1"}, ("password", "INVALID")),
        ({"password": "20482048204820"}, ("password", "INVALID")),
        ({"username": "adalovelace", "password": "adalovelace1"}, ("password", "INVALID")),
    ],
)
def test_register_rejects_bad_input_in_camel_case_fields(gql, overrides, expected):
    before = row_counts()

    result = gql.query(REGISTER, registration(**overrides))["register"]

    assert field_errors(result) == {expected}
    assert result["contributor"] is None
    assert result["token"] is None
    assert row_counts() == before


def test_register_explains_what_the_password_validators_want(gql):
    result = gql.query(REGISTER, registration(password="short"))["register"]

    (error,) = result["errors"]
    assert "too short" in error["message"]


def test_register_refuses_a_taken_username_and_email(gql):
    ContributorFactory(user__username="ada", user__email="ada@example.com")
    before = row_counts()

    result = gql.query(REGISTER, registration(username="ADA", email="Ada@Example.com"))

    assert field_errors(result["register"]) == {("username", "DUPLICATE"), ("email", "DUPLICATE")}
    assert row_counts() == before


def test_an_unknown_track_is_rejected_by_the_schema(gql):
    response = gql.query(REGISTER, registration(track="DESIGN"), expect_errors=True)

    assert "DESIGN" in response["errors"][0]["message"]
    assert not get_user_model().objects.filter(username="ada").exists()


# --- tokens -----------------------------------------------------------------------------------


def test_token_auth_returns_an_access_and_a_refresh_token(gql, contributor):
    tokens = sign_in(gql, contributor.username)

    assert tokens["payload"]["username"] == contributor.username
    assert tokens["payload"]["exp"] > datetime.now(UTC).timestamp()
    assert tokens["refreshToken"]
    gql.token = tokens["token"]
    assert me(gql)["username"] == contributor.username


@pytest.mark.parametrize(
    ("username", "password"), [("user-that-is-not", PASSWORD), (None, "wrong-password")]
)
def test_token_auth_refuses_bad_credentials(gql, contributor, username, password):
    code = refused(
        gql, TOKEN_AUTH, {"username": username or contributor.username, "password": password}
    )

    assert code == "UNAUTHENTICATED"


def test_token_auth_refuses_inactive_users(gql, contributor):
    contributor.user.is_active = False
    contributor.user.save()

    assert (
        refused(gql, TOKEN_AUTH, {"username": contributor.username, "password": PASSWORD})
        == "UNAUTHENTICATED"
    )


def test_verify_token(gql, contributor):
    tokens = sign_in(gql, contributor.username)

    payload = gql.query(VERIFY, {"token": tokens["token"]})["verifyToken"]["payload"]

    assert payload["username"] == contributor.username
    assert refused(gql, VERIFY, {"token": "not.a.token"}) == "UNAUTHENTICATED"


def test_refresh_with_the_long_running_refresh_token(gql, contributor):
    tokens = sign_in(gql, contributor.username)

    refreshed = gql.query(REFRESH, {"refreshToken": tokens["refreshToken"]})["refreshToken"]

    assert refreshed["payload"]["username"] == contributor.username
    assert refreshed["refreshToken"] and refreshed["refreshToken"] != tokens["refreshToken"]
    assert refreshed["refreshExpiresIn"] > datetime.now(UTC).timestamp()
    gql.token = refreshed["token"]
    assert me(gql)["username"] == contributor.username
    # The new refresh token works in turn.
    assert gql.query(REFRESH, {"refreshToken": refreshed["refreshToken"]})["refreshToken"]["token"]


def test_a_rotated_refresh_token_cannot_be_used_again(gql, contributor):
    tokens = sign_in(gql, contributor.username)
    gql.query(REFRESH, {"refreshToken": tokens["refreshToken"]})

    assert refused(gql, REFRESH, {"refreshToken": tokens["refreshToken"]}) == "UNAUTHENTICATED"


def test_a_revoked_refresh_token_no_longer_refreshes(gql, contributor):
    tokens = sign_in(gql, contributor.username)

    revoked = gql.query(REVOKE, {"refreshToken": tokens["refreshToken"]})["revokeToken"]

    assert revoked["revoked"] > 0
    assert refused(gql, REFRESH, {"refreshToken": tokens["refreshToken"]}) == "UNAUTHENTICATED"
    assert refused(gql, REVOKE, {"refreshToken": tokens["refreshToken"]}) == "UNAUTHENTICATED"


def test_a_deactivated_users_refresh_token_is_refused_and_stays_unspent(gql, contributor):
    tokens = sign_in(gql, contributor.username)
    get_user_model().objects.filter(pk=contributor.user_id).update(is_active=False)

    assert refused(gql, REFRESH, {"refreshToken": tokens["refreshToken"]}) == "UNAUTHENTICATED"
    token = RefreshToken.objects.get(token=tokens["refreshToken"])
    assert token.revoked is None
    assert RefreshToken.objects.count() == 1  # no new token issued

    # Reactivated, the account's session goes on.
    get_user_model().objects.filter(pk=contributor.user_id).update(is_active=True)
    assert gql.query(REFRESH, {"refreshToken": tokens["refreshToken"]})["refreshToken"]["token"]


def test_an_unknown_refresh_token_is_refused(gql, db):
    assert refused(gql, REFRESH, {"refreshToken": "f" * 40}) == "UNAUTHENTICATED"


def test_an_expired_refresh_token_is_refused(gql, contributor):
    tokens = sign_in(gql, contributor.username)
    RefreshToken.objects.filter(token=tokens["refreshToken"]).update(
        created=datetime.now(UTC) - timedelta(days=30)
    )

    assert refused(gql, REFRESH, {"refreshToken": tokens["refreshToken"]}) == "UNAUTHENTICATED"


def test_access_tokens_expire():
    assert settings.GRAPHQL_JWT["JWT_VERIFY_EXPIRATION"] is True
    assert settings.GRAPHQL_JWT["JWT_EXPIRATION_DELTA"] <= timedelta(hours=1)


def test_an_expired_access_token_is_refused_with_401(gql, contributor):
    expired = token_with({"exp": datetime.now(UTC) - timedelta(seconds=5)}, contributor.user)

    assert_refused_with_401(gql, expired)
    assert refused(gql, VERIFY, {"token": expired}) == "UNAUTHENTICATED"


def test_a_token_signed_with_another_key_is_refused(gql, contributor):
    forged = token_with({}, contributor.user, key="not-the-server-key-" + "x" * 32)

    assert_refused_with_401(gql, forged)
    assert refused(gql, VERIFY, {"token": forged}) == "UNAUTHENTICATED"


def test_a_token_of_a_deactivated_user_is_refused(gql, contributor):
    token = sign_in(gql, contributor.username)["token"]
    contributor.user.is_active = False
    contributor.user.save()

    assert_refused_with_401(gql, token)


@pytest.mark.parametrize("header", ["Token abc", "JWT", "JWT not-a-jwt", "Basic dXNlcjpwYXNz"])
def test_malformed_authorization_headers_are_refused(gql, db, header):
    response = gql.post(ME, headers={"Authorization": header})

    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("prefix", ["JWT", "Bearer", "bearer"])
def test_both_header_prefixes_are_accepted(gql, contributor, prefix):
    token = sign_in(gql, contributor.username)["token"]

    assert me(gql, Authorization=f"{prefix} {token}")["username"] == contributor.username


def test_me_is_null_when_anonymous(gql, db):
    assert gql.query(ME) == {"me": None}


def test_me_shows_the_signed_in_contributor(member_gql, contributor):
    assert me(member_gql)["username"] == contributor.username


# --- updateProfile ----------------------------------------------------------------------------


def test_update_profile(member_gql, contributor):
    result = member_gql.query(
        UPDATE_PROFILE,
        {"input": {"displayName": "New Name", "bio": "I build APIs.", "discordHandle": "nn#1"}},
    )["updateProfile"]

    assert result["errors"] == []
    assert result["contributor"] == {
        "username": contributor.username,
        "displayName": "New Name",
        "bio": "I build APIs.",
        "discordHandle": "nn#1",
        "track": "BACKEND",
    }
    assert me(member_gql)["displayName"] == "New Name"

    result = member_gql.query(UPDATE_PROFILE, {"input": {"track": "FRONTEND"}})["updateProfile"]

    assert result["contributor"]["track"] == "FRONTEND"
    assert result["contributor"]["bio"] == "I build APIs."


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"displayName": ""}, ("displayName", "REQUIRED")),
        ({"displayName": "d" * 81}, ("displayName", "TOO_LONG")),
        ({"bio": "b" * 2001}, ("bio", "TOO_LONG")),
        ({"bio": "free money"}, ("bio", "INVALID")),
        ({"discordHandle": "h" * 65}, ("discordHandle", "TOO_LONG")),
    ],
)
def test_update_profile_rejects_bad_input_and_changes_nothing(
    member_gql, contributor, fields, expected
):
    result = member_gql.query(UPDATE_PROFILE, {"input": {"bio": "Changed.", **fields}})

    assert field_errors(result["updateProfile"]) == {expected}
    assert result["updateProfile"]["contributor"] is None
    stored = Contributor.objects.get(pk=contributor.pk)
    assert (stored.display_name, stored.bio) == (contributor.display_name, contributor.bio)


def test_update_profile_needs_a_signed_in_user(gql, db):
    assert refused(gql, UPDATE_PROFILE, {"input": {"bio": "Hi"}}) == "UNAUTHENTICATED"


# --- passwords never leave the server ---------------------------------------------------------


def test_no_response_contains_a_password_or_its_hash(gql):
    responses = [gql.post(REGISTER, registration())]
    responses.append(gql.post(REGISTER, registration(username="ada2", password="short")))
    responses.append(gql.post(TOKEN_AUTH, {"username": "ada", "password": NEW_PASSWORD}))
    responses.append(gql.post(TOKEN_AUTH, {"username": "ada", "password": "wrong-" + NEW_PASSWORD}))
    tokens = responses[2].json()["data"]["tokenAuth"]
    gql.token = tokens["token"]
    responses.append(gql.post(VERIFY, {"token": tokens["token"]}))
    responses.append(gql.post(REFRESH, {"refreshToken": tokens["refreshToken"]}))
    responses.append(gql.post(ME))
    responses.append(gql.post(UPDATE_PROFILE, {"input": {"bio": "Hello"}}))
    responses.append(
        gql.post(
            'query { contributor(username: "ada") { username displayName bio } '
            'node(id: "Q29udHJpYnV0b3I6MQ==") { id } }'
        )
    )
    stored_hash = get_user_model().objects.get(username="ada").password

    for response in responses:
        text = response.content.decode()
        assert NEW_PASSWORD not in text
        assert stored_hash not in text
        assert "pbkdf2" not in text and "md5$" not in text
