"""/metrics: Prometheus text with HTTP metrics and GraphQL operation names, durations, errors;
served to a token or an allowed network only, and carrying nothing a client chose."""

import ipaddress
import itertools
import runpy
import string

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from nexus_graphql import metrics
from tests.conftest import GraphQLClient
from tests.factories import ContributorFactory

pytestmark = pytest.mark.django_db

STATS = "query HubStats { hubStats { challenges } }"
# Names a deployment declares as its own frontend's (METRICS_OPERATION_NAMES).
DECLARED = ["HubStats", "CountEverything", "Broken", "Answer", "Deep", "Sneaky"]
TOKEN = "t0k3n-" + "x" * 40
SETTINGS_FILE = "nexus_graphql/settings.py"
SERIAL = itertools.count()


def generated(max_examples: int):
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture(autouse=True)
def declared_names(settings):
    settings.METRICS_OPERATION_NAMES = DECLARED


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def operations(operation: str, outcome: str) -> float:
    return sample("nexus_graphql_operations_total", operation=operation, outcome=outcome)


def errors(operation: str, code: str) -> float:
    return sample("nexus_graphql_errors_total", operation=operation, code=code)


def timed(operation: str) -> float:
    return sample("nexus_graphql_operation_duration_seconds_count", operation=operation)


def scrape(remote_addr="127.0.0.1", **headers):
    # Prometheus scrapes a pod by its IP, a host no ALLOWED_HOSTS lists.
    return Client(HTTP_HOST="10.1.2.3:8000", REMOTE_ADDR=remote_addr, headers=headers).get(
        "/metrics"
    )


def assert_refused(response):
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert b"nexus_graphql" not in response.content


# --- What is counted ---------------------------------------------------------------------


def test_an_operation_is_counted_and_timed_under_its_name(gql):
    before = operations("HubStats", "ok"), timed("HubStats")

    gql.query(STATS, operation_name="HubStats")

    assert (operations("HubStats", "ok"), timed("HubStats")) == (before[0] + 1, before[1] + 1)


def test_the_projects_own_operations_are_named_without_being_declared(gql, settings):
    settings.METRICS_OPERATION_NAMES = []
    before = operations("Search", "ok")

    gql.query('query Search { search(query: "redis") { __typename } }')

    assert operations("Search", "ok") == before + 1


def test_any_other_name_counts_as_other(gql):
    before = operations(metrics.OTHER, "ok")

    gql.query("query SomethingOfMine { hubStats { projects } }")

    assert operations(metrics.OTHER, "ok") == before + 1
    assert operations("SomethingOfMine", "ok") == 0


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

    assert response.status_code == 200  # a request error, under application/json
    assert errors("Deep", "QUERY_TOO_DEEP") == before + 1


def test_a_bad_request_is_counted_with_its_code():
    before = errors("Sneaky", "METHOD_NOT_ALLOWED")

    response = Client().get(
        "/graphql/",
        {"query": 'mutation Sneaky { revokeToken(refreshToken: "x") { revoked } }'},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 405
    assert errors("Sneaky", "METHOD_NOT_ALLOWED") == before + 1


def test_metrics_are_served_in_prometheus_format(gql):
    gql.query(STATS, operation_name="HubStats")

    response = scrape()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'nexus_graphql_operations_total{operation="HubStats",outcome="ok"}' in text
    assert 'duration_seconds_bucket{le="0.005",operation="HubStats"}' in text
    assert "django_http_requests_total_by_method_total" in text


# --- Nothing a client chose is published --------------------------------------------------

# Text a client could put in a request, made distinctive so that finding it is proof.
canaries = st.text(string.ascii_letters + string.digits, min_size=6, max_size=24).map(
    lambda text: f"Canary{text}"
)


@generated(max_examples=25)
@given(
    name=canaries,
    other=canaries,
    address=st.ip_addresses(v=4, network="203.0.113.0/24"),
    method=canaries.map(str.upper),  # django-prometheus labels a made-up method <invalid>
)
def test_no_client_data_reaches_the_metrics(settings, name, other, address, method):
    settings.METRICS_OPERATION_NAMES = []
    contributor = ContributorFactory(user__username=f"u{name[:20]}{next(SERIAL)}")
    user = contributor.user
    client = GraphQLClient().login(contributor)
    client.http = Client(REMOTE_ADDR=str(address), headers={"User-Agent": other})
    # Names in operationName and in the document, names of errors, a failing mutation,
    # a path, a method, a request id, an address, a username: none may become a label.
    client.post(f"query {name} {{ me {{ username }} }}")
    client.post(f"query {other} {{ hubStats {{ projects }} }}", operation_name=other)
    client.post(f"query {name} {{ {other} }}", headers={"X-Request-ID": f"id-{other}"})
    client.post(
        f'mutation {other} {{ deleteChallenge(input: {{id: "{name}"}}) {{ errors {{ code }} }} }}'
    )
    Client(REMOTE_ADDR=str(address)).generic(method, f"/{name}/{other}/")

    text = scrape().content.decode()

    for secret in (name, other, str(address), user.username, method):
        assert secret not in text
    known = metrics._known_names(tuple(DECLARED))  # earlier tests declared these
    for family in text_string_to_metric_families(text):
        if not family.name.startswith("nexus_graphql"):
            continue
        for metric_sample in family.samples:
            operation = metric_sample.labels.get("operation")
            assert operation in known | {metrics.ANONYMOUS, metrics.OTHER}, metric_sample
            assert metrics._CODE.fullmatch(metric_sample.labels.get("code", "NONE"))


def test_the_projects_operation_names_are_those_of_docs_operations():
    assert {"BrowseChallenges", "SignIn", "ChallengeDiscussion"} <= metrics._known_names(())
    assert "HubStats" not in metrics._known_names(())


def test_an_error_code_that_is_not_a_code_is_not_a_label():
    assert metrics._code_label("QUERY_TOO_DEEP") == "QUERY_TOO_DEEP"
    for odd in ("lower", "WITH SPACE", 'QUOTE"', "", None, "A" * 65, 42):
        assert metrics._code_label(odd) == metrics.UNKNOWN_CODE


# --- Who may scrape ----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_may_scrape_by_default(address):
    assert scrape(address).status_code == 200


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.9", "203.0.113.5", "::2", ""])
def test_other_addresses_may_not_by_default(address):
    assert_refused(scrape(address))


@pytest.mark.parametrize(
    "header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"], ids=lambda header: header
)
def test_a_request_relayed_by_a_proxy_is_not_let_in_by_its_network(header):
    # A local reverse proxy connects from loopback on behalf of anyone on the internet.
    assert_refused(scrape("127.0.0.1", **{header: "198.51.100.7"}))


networks = st.lists(
    st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).flatmap(
        lambda ip: st.integers(ip.max_prefixlen - 16, ip.max_prefixlen).map(
            lambda prefix: str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
        )
    ),
    max_size=3,
)


@generated(max_examples=60)
@given(allowed=networks, data=st.data())
def test_an_address_may_scrape_exactly_when_it_is_in_an_allowed_network(settings, allowed, data):
    settings.METRICS_ALLOWED_NETWORKS = allowed
    parsed = [ipaddress.ip_network(network) for network in allowed]
    inside = [
        st.integers(0, network.num_addresses - 1).map(lambda index, network=network: network[index])
        for network in parsed
    ]
    address = data.draw(st.one_of(st.ip_addresses(), *inside))

    response = scrape(str(address))

    expected = any(address in network for network in parsed)
    assert response.status_code == (200 if expected else 403), (address, allowed)


def near_misses(token: str):
    return st.one_of(
        st.just(""),
        st.just(token[:-1]),
        st.just(token + "x"),
        st.just(token.upper()),
        st.text(string.printable.strip(), min_size=1, max_size=len(token) + 2).filter(
            lambda text: text != token
        ),
    )


@generated(max_examples=60)
@given(
    given_token=near_misses(TOKEN),
    scheme=st.sampled_from(["Bearer", "bearer", "JWT", "Basic", "Token"]),
)
def test_a_wrong_token_is_refused_from_outside(settings, given_token, scheme):
    settings.METRICS_TOKEN = TOKEN

    assert_refused(scrape("203.0.113.5", Authorization=f"{scheme} {given_token}"))


@pytest.mark.parametrize("scheme", ["JWT", "Basic", "Token", ""])
def test_the_token_counts_only_as_a_bearer_token(settings, scheme):
    settings.METRICS_TOKEN = TOKEN

    assert_refused(scrape("203.0.113.5", Authorization=f"{scheme} {TOKEN}".strip()))


@generated(max_examples=20)
@given(
    address=st.ip_addresses(),
    scheme=st.sampled_from(["Bearer", "bearer", "BEARER"]),
    relayed=st.booleans(),
)
def test_the_token_lets_anyone_in(settings, address, scheme, relayed):
    settings.METRICS_TOKEN = TOKEN
    headers = {"Authorization": f"{scheme} {TOKEN}"}
    if relayed:
        headers["X-Forwarded-For"] = "198.51.100.7"

    assert scrape(str(address), **headers).status_code == 200


def test_a_wrong_token_is_refused_even_from_an_allowed_network(settings):
    settings.METRICS_TOKEN = TOKEN

    assert_refused(scrape("127.0.0.1", Authorization="Bearer not-the-token"))
    assert scrape("127.0.0.1").status_code == 200  # no token offered: the network decides


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,not-a-network"}, "METRICS_ALLOWED_NETWORKS"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN"),
        ({"READINESS_CACHE_SECONDS": "5"}, "READINESS_CACHE_SECONDS"),
        ({"READINESS_CHECK_TIMEOUT_SECONDS": "0"}, "READINESS_CHECK_TIMEOUT_SECONDS"),
    ],
)
def test_bad_settings_stop_the_start(monkeypatch, environment, message):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=message):
        runpy.run_path(SETTINGS_FILE)
