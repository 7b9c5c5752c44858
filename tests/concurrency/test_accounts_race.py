"""register, tokenAuth, verifyToken, refreshToken, revokeToken, updateProfile raced."""

import pytest
from django.contrib.auth import get_user_model
from graphql_jwt.refresh_token.models import RefreshToken

from hub.models import Contributor
from hub.models.people import username_skeleton
from tests.concurrency.conftest import THREADS, token_of
from tests.factories import PASSWORD, ContributorFactory

REGISTER = """
mutation($input: RegisterInput!) {
  register(input: $input) { contributor { username } token errors { field code } }
}"""
TOKEN_AUTH = """
mutation($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken }
}"""
VERIFY = "mutation($token: String!) { verifyToken(token: $token) { payload } }"
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { token refreshToken } }"
REVOKE = "mutation($t: String!) { revokeToken(refreshToken: $t) { revoked } }"
UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) { contributor { displayName } errors { field code } }
}"""

# Ways of writing one name that must all be one account: case, NFKC (full-width,
# ligatures) and the lookalikes of the skeleton (Cyrillic, Greek, l/1/I, 0/O, rn/m).
LOOKALIKES_OF_MARIO = [
    "mario",
    "Mario",
    "MARIO",
    "ｍａｒｉｏ",  # noqa: RUF001 - full-width, on purpose
    "rnario",
    "mar1o",
    "marIo",
    "mari0",
    "m\N{CYRILLIC SMALL LETTER A}rio",
    "mari\N{GREEK SMALL LETTER OMICRON}",
    "m\N{GREEK SMALL LETTER ALPHA}r\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}o",
    "marlo",
]


def _register(username, email):
    variables = {"input": {"username": username, "email": email, "password": PASSWORD}}
    return (REGISTER, variables, None)


@pytest.mark.mutations("register")
def test_parallel_registrations_of_one_username_make_one_account(race):
    calls = [_register("grace", f"grace{i}@example.com") for i in range(THREADS)]
    outcomes = race.run("register same username", calls)
    assert sorted(outcomes) == ["DUPLICATE"] * (THREADS - 1) + ["OK"]
    assert get_user_model().objects.filter(username="grace").count() == 1
    assert Contributor.objects.count() == 1


@pytest.mark.mutations("register")
def test_parallel_registrations_of_one_email_make_one_account(race):
    emails = ["same@example.com", "SAME@Example.COM"]
    calls = [_register(f"user{i}", emails[i % 2]) for i in range(THREADS)]
    outcomes = race.run("register same email", calls)
    assert sorted(outcomes) == ["DUPLICATE"] * (THREADS - 1) + ["OK"]
    assert Contributor.objects.filter(email_key="same@example.com").count() == 1
    assert get_user_model().objects.count() == 1


@pytest.mark.mutations("register")
def test_parallel_registrations_of_lookalike_names_make_one_account(race):
    names = LOOKALIKES_OF_MARIO
    assert len({username_skeleton(name) for name in names}) == 1  # the table is one name
    calls = [_register(name, f"mario{i}@example.com") for i, name in enumerate(names)]
    outcomes = race.run("register lookalike usernames", calls)
    assert sorted(outcomes) == ["DUPLICATE"] * (len(names) - 1) + ["OK"]
    assert Contributor.objects.count() == 1
    assert Contributor.objects.get().username in names


@pytest.mark.mutations("tokenAuth")
def test_parallel_sign_ins_each_get_a_session(race):
    contributor = ContributorFactory()
    calls = [(TOKEN_AUTH, {"username": contributor.username, "password": PASSWORD}, None)] * THREADS
    outcomes = race.run("tokenAuth same user", calls)
    assert outcomes == ["OK"] * THREADS
    tokens = RefreshToken.objects.filter(user=contributor.user, revoked__isnull=True)
    assert tokens.count() == THREADS == len(set(tokens.values_list("token", flat=True)))


@pytest.mark.mutations("verifyToken")
def test_parallel_verifications_all_pass_and_write_nothing(race):
    token = token_of(ContributorFactory())
    outcomes = race.run("verifyToken", [(VERIFY, {"token": token}, None)] * THREADS)
    assert outcomes == ["OK"] * THREADS
    assert RefreshToken.objects.count() == 0


def _session(race, contributor) -> str:
    variables = {"username": contributor.username, "password": PASSWORD}
    return race.one(TOKEN_AUTH, variables)["refreshToken"]


@pytest.mark.mutations("refreshToken")
def test_one_refresh_token_redeemed_in_parallel_succeeds_once(race):
    contributor = ContributorFactory()
    refresh_token = _session(race, contributor)
    outcomes = race.run(
        "refreshToken same token", [(REFRESH, {"t": refresh_token}, None)] * THREADS
    )
    assert sorted(outcomes) == ["OK"] + ["UNAUTHENTICATED"] * (THREADS - 1)
    assert RefreshToken.objects.get(token=refresh_token).revoked is not None
    # The one rotation issued one new token, still good.
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 1


@pytest.mark.mutations("revokeToken")
def test_one_refresh_token_revoked_in_parallel_is_revoked_once(race):
    refresh_token = _session(race, ContributorFactory())
    outcomes = race.run("revokeToken same token", [(REVOKE, {"t": refresh_token}, None)] * THREADS)
    assert sorted(outcomes) == ["OK"] + ["UNAUTHENTICATED"] * (THREADS - 1)
    assert RefreshToken.objects.get(token=refresh_token).revoked is not None


@pytest.mark.mutations("revokeToken", "refreshToken")
def test_one_refresh_token_revoked_and_refreshed_in_parallel_is_spent_once(race):
    refresh_token = _session(race, ContributorFactory())
    calls = [(REVOKE if i % 2 else REFRESH, {"t": refresh_token}, None) for i in range(THREADS)]
    outcomes = race.run("revokeToken vs refreshToken", calls)
    assert sorted(outcomes) == ["OK"] + ["UNAUTHENTICATED"] * (THREADS - 1)
    assert RefreshToken.objects.get(token=refresh_token).revoked is not None
    # A refresh that won issued one new token; a revoke that won issued none.
    issued = RefreshToken.objects.filter(revoked__isnull=True).count()
    assert issued == (1 if outcomes[0::2].count("OK") else 0)


@pytest.mark.mutations("updateProfile")
def test_parallel_profile_updates_end_as_one_of_them(race):
    contributor = ContributorFactory()
    token = token_of(contributor)
    names = [f"Name {i}" for i in range(THREADS)]
    calls = [
        (UPDATE_PROFILE, {"input": {"displayName": name, "bio": name}}, token) for name in names
    ]
    assert race.run("updateProfile", calls) == ["OK"] * THREADS
    contributor.refresh_from_db()
    assert contributor.display_name in names
    assert contributor.bio == contributor.display_name  # one update's fields, not a mix
