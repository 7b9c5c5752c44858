import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories set a password on every user; the production hasher makes that slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
