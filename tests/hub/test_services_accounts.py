"""hub.services.accounts: registration and profile edits."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from hub.models import Contributor, Track
from hub.services import accounts
from tests.factories import ContributorFactory
from tests.hub.service_helpers import errors_of, row_counts

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "plum-orbit-cascade-91"


def register(**overrides):
    fields = {
        "username": "ada",
        "email": "ada@example.com",
        "password": GOOD_PASSWORD,
        "display_name": "Ada L.",
        "track": Track.FRONTEND,
    }
    fields.update(overrides)
    return accounts.register(**fields)


def test_register_creates_a_user_and_its_profile():
    contributor = register()

    user = contributor.user
    assert user.username == "ada"
    assert user.email == "ada@example.com"
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff
    assert contributor.display_name == "Ada L."
    assert contributor.track == Track.FRONTEND
    assert contributor.reputation == 0
    assert Contributor.objects.get(user=user) == contributor


def test_register_defaults_the_display_name_and_track():
    contributor = register(display_name=None, track=None)

    assert contributor.display_name == "ada"
    assert contributor.track == Track.BACKEND


def test_register_strips_whitespace():
    contributor = register(username="  ada  ", email=" ada@example.com ")

    assert contributor.user.username == "ada"
    assert contributor.user.email == "ada@example.com"


def test_register_reports_every_missing_field_at_once():
    before = row_counts()

    errors = errors_of(register, username=None, email="", password=None)

    assert errors == {
        ("username", "REQUIRED"),
        ("email", "REQUIRED"),
        ("password", "REQUIRED"),
    }
    assert row_counts() == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"username": "not valid!"}, ("username", "INVALID")),
        ({"username": "a" * 151}, ("username", "TOO_LONG")),
        ({"email": "not-an-email"}, ("email", "INVALID")),
        ({"email": "a" * 250 + "@example.com"}, ("email", "TOO_LONG")),
        ({"display_name": "d" * 81}, ("display_name", "TOO_LONG")),
        ({"display_name": "Free money here"}, ("display_name", "INVALID")),
        ({"track": "DESIGN"}, ("track", "INVALID")),
    ],
)
def test_register_rejects_bad_fields(overrides, expected):
    before = row_counts()

    assert errors_of(register, **overrides) == {expected}
    assert row_counts() == before


@pytest.mark.parametrize(
    "password",
    [
        "short1!",  # too short
        "password123",  # too common
        "8203948123059",  # entirely numeric
        "ada-lovelace-2",  # too similar to the username/email
    ],
)
def test_register_applies_the_password_validators(password):
    before = row_counts()

    errors = errors_of(
        register, username="ada-lovelace", email="ada@lovelace.dev", password=password
    )

    assert errors == {("password", "INVALID")}
    assert row_counts() == before


def test_register_refuses_a_taken_username_or_email_whatever_their_case():
    ContributorFactory(user__username="Ada", user__email="Ada@Example.com")
    before = row_counts()

    errors = errors_of(register, username="ada", email="ada@example.COM")

    assert errors == {("username", "DUPLICATE"), ("email", "DUPLICATE")}
    assert row_counts() == before


def test_update_profile_changes_the_given_fields_only(contributor):
    contributor.bio = "Old bio."
    contributor.save()

    updated = accounts.update_profile(
        viewer=contributor.user,
        display_name="  New Name ",
        discord_handle="new#1",
        track=Track.FRONTEND,
    )

    contributor.refresh_from_db()
    assert updated == contributor
    assert contributor.display_name == "New Name"
    assert contributor.discord_handle == "new#1"
    assert contributor.track == Track.FRONTEND
    assert contributor.bio == "Old bio."


def test_update_profile_may_clear_optional_fields(contributor):
    contributor.bio = "Old bio."
    contributor.save()

    accounts.update_profile(viewer=contributor.user, bio="")

    contributor.refresh_from_db()
    assert contributor.bio == ""


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"display_name": "   "}, ("display_name", "REQUIRED")),
        ({"display_name": "x" * 81}, ("display_name", "TOO_LONG")),
        ({"bio": "b" * 2001}, ("bio", "TOO_LONG")),
        ({"bio": "Win a crypto giveaway"}, ("bio", "INVALID")),
        ({"bio": " ".join(["https://spam.example"] * 9)}, ("bio", "INVALID")),
        ({"discord_handle": "h" * 65}, ("discord_handle", "TOO_LONG")),
        ({"track": "DESIGN"}, ("track", "INVALID")),
    ],
)
def test_update_profile_rejects_bad_fields_and_changes_nothing(contributor, fields, expected):
    before = {f: getattr(contributor, f) for f in ("display_name", "bio", "discord_handle")}

    # A valid change next to the bad one is not written either.
    fields = {"bio": "Fine.", **fields}

    assert errors_of(accounts.update_profile, viewer=contributor.user, **fields) == {expected}

    contributor.refresh_from_db()
    assert {f: getattr(contributor, f) for f in before} == before


def test_update_profile_needs_a_signed_in_user():
    assert errors_of(accounts.update_profile, viewer=AnonymousUser(), bio="Hi") == {
        (None, "UNAUTHENTICATED")
    }


def test_usernames_are_unique_across_users():
    register()
    assert get_user_model().objects.filter(username__iexact="ADA").count() == 1
    assert errors_of(register, username="ADA", email="other@example.com") == {
        ("username", "DUPLICATE")
    }


# --- one name, one account: canonical form and lookalikes --------------------------------------

# (an existing username, a name that is the same one) by the rule that makes it so.
SAME_NAME = [
    ("case", "Ada", "ada"),
    ("case", "ada", "ADA"),
    ("NFKC: full-width letters", "ada", "ａｄａ"),  # noqa: RUF001
    ("NFKC: a ligature", "fiona", "\N{LATIN SMALL LIGATURE FI}ona"),
    ("case folding: sharp s", "strasse", "Stra\N{LATIN SMALL LETTER SHARP S}e"),
    ("Cyrillic a", "ada", "\N{CYRILLIC SMALL LETTER A}da"),
    ("Cyrillic o and e", "joe", "j\N{CYRILLIC SMALL LETTER O}\N{CYRILLIC SMALL LETTER IE}"),
    ("Cyrillic capital", "peter", "\N{CYRILLIC CAPITAL LETTER ER}eter"),
    ("Greek omicron", "bob", "b\N{GREEK SMALL LETTER OMICRON}b"),
    ("Greek alpha and nu", "van", "\N{GREEK SMALL LETTER NU}\N{GREEK SMALL LETTER ALPHA}n"),
    ("l and 1", "linus", "1inus"),
    ("l and I", "linus", "Iinus"),
    ("I and l", "ian", "lan"),
    ("0 and O", "otto", "0tt0"),
    ("rn and m", "emma", "ernrna"),
    ("vv and w", "wendy", "vvendy"),
    ("cl and d", "daniel", "claniel"),
]
DIFFERENT_NAMES = [("ada", "adam"), ("ada", "ada2"), ("mark", "marc"), ("bob", "rob")]


@pytest.mark.parametrize(
    ("rule", "existing", "attempt"), SAME_NAME, ids=[f"{r}: {a}" for r, _, a in SAME_NAME]
)
def test_a_name_that_reads_as_an_existing_one_is_refused(rule, existing, attempt):
    register(username=existing, email="first@example.com")
    before = row_counts()

    errors = errors_of(register, username=attempt, email="second@example.com")

    assert errors == {("username", "DUPLICATE")}
    assert row_counts() == before


@pytest.mark.parametrize(("existing", "attempt"), DIFFERENT_NAMES)
def test_names_that_only_resemble_each_other_loosely_are_both_allowed(existing, attempt):
    register(username=existing, email="first@example.com")
    assert register(username=attempt, email="second@example.com").username == attempt


def test_the_database_holds_one_account_per_canonical_name_and_address():
    from django.db import IntegrityError, transaction

    register(username="Ada", email="Ada@Example.com")
    for username, email in [("ADA", "b@example.com"), ("bea", "ada@example.COM")]:
        # The service's own checks bypassed: the unique indexes still refuse.
        with pytest.raises(IntegrityError), transaction.atomic():
            get_user_model().objects.create_user(username=username, email=email)


def test_the_migration_fills_the_keys_oldest_first_and_leaves_collisions_empty():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("hub.migrations.0006_username_canonical")
    old, new = ContributorFactory(user__username="Ada"), ContributorFactory()
    # A pair from before the rule: the same name in another case.
    get_user_model().objects.filter(pk=new.user_id).update(username="ADA")
    Contributor.objects.update(username_key=None, username_skeleton=None, email_key=None)

    migration.fill_identity_keys(apps, None)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.username_key, old.username_skeleton) == ("ada", "ada")
    assert (new.username_key, new.username_skeleton) == (None, None)
    assert new.email_key == new.user.email
