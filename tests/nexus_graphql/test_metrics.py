"""/metrics: Prometheus text with HTTP metrics and GraphQL operation names, durations, errors."""

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from nexus_graphql import metrics

pytestmark = pytest.mark.django_db

STATS = "query HubStats { hubStats { challenges } }"


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def operations(operation: str, outcome: str) -> float:
    return sample("nexus_graphql_operations_total", operation=operation, outcome=outcome)


def errors(operation: str, code: str) -> float:
    return sample("nexus_graphql_errors_total", operation=operation, code=code)


def timed(operation: str) -> float:
    return sample("nexus_graphql_operation_duration_seconds_count", operation=operation)


def test_an_operation_is_counted_and_timed_under_its_name(gql):
    before = operations("HubStats", "ok"), timed("HubStats")

    gql.query(STATS, operation_name="HubStats")

    assert (operations("HubStats", "ok"), timed("HubStats")) == (before[0] + 1, before[1] + 1)


def test_the_name_is_read_from_the_document_when_the_client_sends_none(gql):
    before = operations("CountEverything", "ok")

    gql.query("# stats\nquery CountEverything { hubStats { learnings } }")

    assert operations("CountEverything", "ok") == before + 1


def test_an_unnamed_operation_is_anonymous(gql):
    before = operations(metrics.ANONYMOUS, "ok")

    gql.query("{ hubStats { projects } }")

    assert operations(metrics.ANONYMOUS, "ok") == before + 1


def test_errors_are_counted_by_the_code_the_client_sees(gql):
    before = errors("Broken", "GRAPHQL_VALIDATION_FAILED"), operations("Broken", "error")

    gql.query("query Broken { noSuchField }", expect_errors=True)

    assert errors("Broken", "GRAPHQL_VALIDATION_FAILED") == before[0] + 1
    assert operations("Broken", "error") == before[1] + 1


def test_an_authorization_error_is_counted(gql):
    before = errors("Answer", "UNAUTHENTICATED")

    gql.query(
        'mutation Answer { submitSolution(input: {challengeId: "Q2hhbGxlbmdlOjE=", body: "x"})'
        " { errors { code } } }",
        expect_errors=True,
    )

    assert errors("Answer", "UNAUTHENTICATED") == before + 1


def test_a_refused_query_is_counted_with_its_limit(gql, settings):
    settings.GRAPHQL_QUERY_LIMITS = {**settings.GRAPHQL_QUERY_LIMITS, "max_depth": 1}
    before = errors("Deep", "QUERY_TOO_DEEP")

    response = gql.post("query Deep { challenges(first: 1) { edges { node { title } } } }")

    assert response.status_code == 400
    assert errors("Deep", "QUERY_TOO_DEEP") == before + 1


def test_a_bad_request_is_counted_with_its_code(settings):
    before = errors("Sneaky", "METHOD_NOT_ALLOWED")

    response = Client().get(
        "/graphql/",
        {"query": 'mutation Sneaky { revokeToken(refreshToken: "x") { revoked } }'},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 405
    assert errors("Sneaky", "METHOD_NOT_ALLOWED") == before + 1


def test_operation_names_cannot_flood_the_time_series(monkeypatch):
    monkeypatch.setattr(metrics, "_seen_names", {"Known"})
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)

    assert metrics.operation_label("", "Known") == "Known"
    assert metrics.operation_label("", "Second") == "Second"
    assert metrics.operation_label("", "Third") == metrics.OTHER
    assert metrics.operation_label("", "Known") == "Known"
    assert metrics.operation_label("", "not a name!") == metrics.OTHER


def test_metrics_are_served_in_prometheus_format(gql):
    gql.query(STATS, operation_name="HubStats")

    # Prometheus scrapes a pod by its IP, a host no ALLOWED_HOSTS lists.
    response = Client(HTTP_HOST="10.1.2.3:8000").get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'nexus_graphql_operations_total{operation="HubStats",outcome="ok"}' in text
    assert 'duration_seconds_bucket{le="0.005",operation="HubStats"}' in text
    assert "django_http_requests_total_by_method_total" in text
