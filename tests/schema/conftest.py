import pytest

from tests.schema.helpers import group_moderator, staff_moderator


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories set a password on every user; the production hasher makes that slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=["staff", "moderators group"])
def moderator(request, db):
    """A moderator: a staff user, or a member of the `moderators` group."""
    return staff_moderator() if request.param == "staff" else group_moderator()
