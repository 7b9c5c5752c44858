"""Nothing internal reaches a client, and no bad request is answered with a 500.

Tests run with DEBUG off (pytest-django's default), as in production.
"""

import json
import logging

import pytest
from django.db import OperationalError

from hub import selectors
from nexus_graphql import views
from tests.conftest import GRAPHQL_URL

SECRET_DETAIL = 'relation "hub_secret" does not exist at SELECT password FROM auth_user'


def test_an_unexpected_resolver_error_is_masked_with_an_id_that_is_logged(gql, monkeypatch, caplog):
    def broken():
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(selectors, "get_hub_stats", broken)

    with caplog.at_level(logging.ERROR, logger="nexus.graphql"):
        response = gql.post("{ hubStats { projects } }")

    assert response.status_code == 200
    error = response.json()["errors"][0]
    error_id = error["extensions"]["errorId"]
    assert error["message"] == f"Internal error (id {error_id})."
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    assert "hub_secret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    # The id leads an operator to the full story in the log.
    record = next(r for r in caplog.records if error_id in r.getMessage())
    assert SECRET_DETAIL in str(record.exc_info[1])


def test_a_database_outage_outside_resolvers_is_a_503_not_a_500(gql, monkeypatch):
    def unreachable(request):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(views, "viewer_of", unreachable)

    response = gql.post("{ hubStats { projects } }")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "Connection refused" not in response.content.decode()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_POSTS = {
    "malformed JSON": ("{not json", "application/json"),
    "JSON nested past the parser's recursion": (nested(50_000), "application/json"),
    "a JSON array": ("[1, 2]", "application/json"),
    "not UTF-8": (b"\xff\xfe{", "application/json"),
    "empty body": ("", "application/json"),
    "query is a number": (json.dumps({"query": 42}), "application/json"),
    "variables is a list": (json.dumps({"query": "{ __typename }", "variables": [1]}), None),
    "operationName is a list": (json.dumps({"query": "{ __typename }", "operationName": []}), None),
    "extensions is a string": (json.dumps({"query": "{ __typename }", "extensions": "x"}), None),
    "plain text": ("{ __typename }", "text/plain"),
    "XML": ("<query/>", "application/xml"),
    "form data": ("query=%7B__typename%7D", "application/x-www-form-urlencoded"),
}
# Well-formed requests whose GraphQL does not run (GraphQL over HTTP's "request errors").
REQUEST_ERRORS = {
    "unknown operationName": json.dumps({"query": "{ __typename }", "operationName": "X"}),
    "garbage query": json.dumps({"query": "}}}{{{ !!! @@"}),
    "query nested past the parser's limit": json.dumps(
        {"query": "{ hubStats " + "{ projects " * 3000 + "}" * 3001}
    ),
    "unknown type": json.dumps({"query": "{ __type(name: 1) { name } }"}),
    "a variable that does not coerce": json.dumps(
        {"query": "query($s: String!) { challenge(slug: $s) { title } }", "variables": {"s": 1}}
    ),
}


@pytest.mark.parametrize("body, content_type", BAD_POSTS.values(), ids=BAD_POSTS.keys())
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_bad_requests_get_a_4xx_with_a_json_error(gql, body, content_type, accept):
    response = gql.http.post(
        GRAPHQL_URL, body, content_type=content_type or "application/json", HTTP_ACCEPT=accept
    )

    assert 400 <= response.status_code < 500
    payload = response.json()
    assert payload["errors"][0]["message"]
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
@pytest.mark.parametrize(
    "accept, status",
    [("application/json", 200), ("*/*", 200), ("application/graphql-response+json", 400)],
)
def test_request_errors_follow_the_media_types_status_rules(gql, body, accept, status):
    response = gql.http.post(GRAPHQL_URL, body, content_type="application/json", HTTP_ACCEPT=accept)

    assert response.status_code == status
    payload = response.json()
    assert payload["errors"][0]["message"]
    assert "data" not in payload
    assert "Traceback" not in response.content.decode()


WRONG_VARIABLES = {
    "a string for an Int": ("query($f: Int) { challenges(first: $f) { totalCount } }", {"f": "x"}),
    "past 32 bits": ("query($f: Int) { challenges(first: $f) { totalCount } }", {"f": 10**30}),
    "a missing required one": ("query($s: String!) { challenge(slug: $s) { title } }", {}),
    "an object for a String": (
        "query($s: String!) { challenge(slug: $s) { title } }",
        {"s": {"a": [1, {"b": None}]}},
    ),
    "an unknown enum": (
        "query($o: ChallengeOrder) { challenges(orderBy: $o) { totalCount } }",
        {"o": "DROP TABLE"},
    ),
    "a bad input field": (
        "mutation($i: SubmitChallengeInput!) { submitChallenge(input: $i) { errors { code } } }",
        {"i": {"title": ["x"], "bogus": 1}},
    ),
    "a negative page size": ("query($f: Int) { challenges(first: $f) { totalCount } }", {"f": -1}),
    "a forged cursor": (
        "query($a: String) { challenges(first: 1, after: $a) { totalCount } }",
        {"a": "\x00' OR 1=1 --"},
    ),
    "a forged node id": ("query($id: ID!) { node(id: $id) { id } }", {"id": "not-base64!"}),
}


@pytest.mark.parametrize("query, variables", WRONG_VARIABLES.values(), ids=WRONG_VARIABLES.keys())
def test_wrong_variables_get_a_graphql_error_not_a_500(gql, query, variables):
    response = gql.post(query, variables)

    assert response.status_code in (200, 400)
    payload = response.json()
    assert payload.get("errors") or payload["data"], payload
    for error in payload.get("errors", []):
        assert error["extensions"]["code"] != "INTERNAL_ERROR", error


def test_an_oversized_body_is_refused_before_it_is_read(gql, settings):
    settings.GRAPHQL_MAX_BODY_BYTES = 1_000
    body = json.dumps({"query": "{ __typename }", "padding": "x" * 2_000})

    response = gql.http.post(GRAPHQL_URL, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "head"])
def test_other_methods_are_not_allowed(gql, method):
    response = getattr(gql.http, method)(GRAPHQL_URL)

    assert response.status_code == 405


@pytest.mark.parametrize(
    "path, status",
    [
        ("/no-such-page/", 404),
        ("/%ff%fe/", 404),
        ("/graphql", 400),  # served like /graphql/: no query given
        ("/admin/", 302),  # to the sign-in page
        ("/admin/login/", 200),
        ("/admin/hub/challenge/?q=%00%27", 302),
    ],
)
def test_other_paths_answer_without_a_500(client, path, status):
    assert client.get(path).status_code == status


def test_a_garbage_admin_login_is_refused_not_failed(client):
    response = client.post("/admin/login/", {"username": "\x00" * 500, "password": ["a", "b"]})

    assert response.status_code in (200, 403)


def test_an_unknown_host_is_a_400(client):
    assert client.get("/graphql/", headers={"Host": "evil.example"}).status_code == 400


def test_a_database_outage_inside_a_resolver_is_service_unavailable(gql, settings, monkeypatch):
    settings.DEBUG = False

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "get_hub_stats", unreachable)

    payload = gql.query("{ hubStats { challenges } }", expect_errors=True)

    error = payload["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "closed the connection" not in error["message"]
    assert error["extensions"]["errorId"] in error["message"]


def test_an_unknown_operation_name_is_named_in_the_error(gql):
    response = gql.post("query A { hubStats { challenges } }", operation_name="B")

    assert response.status_code == 200  # a request error, under application/json
    assert "data" not in response.json()
    assert "'B'" in response.json()["errors"][0]["message"]
