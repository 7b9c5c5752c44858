"""/healthz and /readyz, as a kubelet or a load balancer calls them."""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.ops.broker import UNREACHABLE, using_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe():
    # Kubelets call a pod by its IP, a host no ALLOWED_HOSTS lists.
    return Client(HTTP_HOST="10.1.2.3:8000")


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_liveness_answers_without_touching_anything(probe, path, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = probe.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/readyz", "/readyz/"])
def test_readiness_checks_the_database_the_cache_and_the_broker(probe, path):
    response = probe.get(path)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "broker": "in-process"},
        "failed": [],
    }


def test_not_ready_without_the_database(probe, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {
            "database": "failed: OperationalError",
            "cache": "ok",
            "broker": "in-process",
        },
        "failed": ["database"],
    }


def test_not_ready_when_the_cache_keeps_nothing(probe, settings):
    # What a Redis outage looks like through a cache that swallows its errors.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["cache"] == "failed: ConnectionError"


def test_not_ready_without_the_broker(probe):
    with using_broker(UNREACHABLE):
        response = probe.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["checks"]["broker"] == "failed: OperationalError"


def test_a_failure_is_named_but_its_details_stay_in_the_logs(probe, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError('could not connect to server "db.internal" (10.0.0.5)')

    monkeypatch.setattr(connection, "cursor", refuse)

    response = probe.get("/readyz")

    assert "db.internal" not in response.content.decode()
    assert any("db.internal" in record.getMessage() for record in caplog.records)


def test_other_paths_are_not_probes(probe):
    # The probes answer any host; everything else still checks ALLOWED_HOSTS.
    assert probe.get("/healthzz").status_code == 400


def test_readiness_checks_only_what_it_is_told_to(probe, settings):
    # An operator who would rather serve without the cache than not at all.
    settings.READINESS_CHECKS = ["database"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = probe.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}
