"""CORS allowlist, security headers, CSRF by design, settings that refuse to run unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import GRAPHQL_URL
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = "https://app.example.org"
QUERY = '{"query": "{ __typename }"}'


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND]


def test_an_allowed_origin_may_read_responses(db, cors):
    response = Client().post(
        GRAPHQL_URL, QUERY, content_type="application/json", headers={"Origin": FRONTEND}
    )

    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert "Access-Control-Allow-Credentials" not in response  # tokens, not cookies


def test_a_preflight_from_an_allowed_origin_may_send_the_token_header(db, cors):
    response = Client().options(
        GRAPHQL_URL,
        headers={
            "Origin": FRONTEND,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert response.status_code == 200
    assert "authorization" in response["Access-Control-Allow-Headers"]


def test_other_origins_get_no_cors_grant(db, cors):
    response = Client().post(
        GRAPHQL_URL,
        QUERY,
        content_type="application/json",
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 200  # served, but the browser will not let the page read it
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:5173", "http://127.0.0.1:3000", "https://localhost", "http://[::1]:8080"],
)
def test_in_development_a_localhost_frontend_may_read_responses(db, settings, origin):
    settings.CORS_ALLOWED_ORIGIN_REGEXES = settings.DEVELOPMENT_CORS_ORIGIN_REGEXES

    response = Client().post(
        GRAPHQL_URL, QUERY, content_type="application/json", headers={"Origin": origin}
    )

    assert response["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize(
    "origin", ["http://localhost.evil.example", "http://evil.example/localhost", "http://127.0.0.2"]
)
def test_in_development_lookalikes_of_localhost_get_no_cors_grant(db, settings, origin):
    settings.CORS_ALLOWED_ORIGIN_REGEXES = settings.DEVELOPMENT_CORS_ORIGIN_REGEXES

    response = Client().post(
        GRAPHQL_URL, QUERY, content_type="application/json", headers={"Origin": origin}
    )

    assert "Access-Control-Allow-Origin" not in response


def test_localhost_origins_are_allowed_with_debug_only():
    shown = "bool(s.CORS_ALLOWED_ORIGIN_REGEXES)"
    development = settings_with({"DEBUG": "true"}, shown)
    production = settings_with(
        {"DEBUG": "false", "SECRET_KEY": "a-real-secret-from-the-environment"}, shown
    )

    assert (development.stdout.strip(), production.stdout.strip()) == ("True", "False"), (
        development.stderr + production.stderr
    )


def test_responses_carry_security_headers(db):
    response = Client().post(GRAPHQL_URL, QUERY, content_type="application/json")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_responses_carry_hsts_when_it_is_set(db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000

    response = Client().post(GRAPHQL_URL, QUERY, content_type="application/json", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_a_session_cookie_neither_signs_in_nor_needs_csrf_on_graphql(db):
    """A forged cross-site POST rides on cookies: /graphql/ ignores them, so it is harmless."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(is_staff=True))

    response = browser.post(
        GRAPHQL_URL, '{"query": "{ me { username } }"}', content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


def test_the_admin_keeps_csrf_protection(db):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/admin/login/", {"username": "a", "password": "b"})

    assert response.status_code == 403


SAFETY_SETTINGS = (
    "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.ALLOWED_HOSTS, s.CORS_ALLOWED_ORIGINS"
)


def settings_with(env: dict, shown: str = SAFETY_SETTINGS) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with `env` (the environment decides them)."""
    script = f"import django; django.setup(); from django.conf import settings as s; print({shown})"
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", script],
        env=clean | {"DJANGO_SETTINGS_MODULE": "nexus_graphql.settings"} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_secret_key_is_required():
    result = settings_with({"DEBUG": "false"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_debug_the_settings_turn_safe():
    result = settings_with(
        {
            "DEBUG": "false",
            "SECRET_KEY": "a-real-secret-from-the-environment",
            "ALLOWED_HOSTS": "nexus.example.org",
            "CORS_ALLOWED_ORIGINS": FRONTEND,
        }
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "31536000",
        "True",
        "True",
        "['nexus.example.org']",
        f"['{FRONTEND}']",
    ]
