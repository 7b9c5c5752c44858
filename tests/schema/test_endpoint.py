"""The /graphql/ endpoint over HTTP: GraphiQL, body rules, auth headers, error shapes."""

import json

import pytest
from graphql_jwt.shortcuts import get_token

from hub.models import ContentStatus
from tests.conftest import GRAPHQL_URL
from tests.factories import LearningFactory
from tests.schema.helpers import error_codes

OWN_PENDING_LEARNING = '{ learning(slug: "draft") { title status } }'


def test_a_browser_gets_graphiql(gql):
    response = gql.http.get(GRAPHQL_URL, headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"graphiql" in response.content.lower()


def test_a_get_query_without_html_accept_is_answered_as_json(gql):
    response = gql.http.get(
        GRAPHQL_URL, {"query": "{ hubStats { projects } }"}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"hubStats": {"projects": 0}}}


def test_a_json_post_is_answered(gql):
    response = gql.post("{ hubStats { projects } }")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"data": {"hubStats": {"projects": 0}}}


def test_the_endpoint_without_its_trailing_slash_is_the_same_endpoint(gql):
    response = gql.http.post(
        "/graphql",
        json.dumps({"query": "{ hubStats { projects } }"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"hubStats": {"projects": 0}}}


def test_operation_name_selects_the_operation(gql):
    document = "query A { hubStats { projects } } query B { hubStats { learnings } }"

    data = gql.query(document, operation_name="B")

    assert data == {"hubStats": {"learnings": 0}}


def test_a_form_post_is_unsupported_media_type(gql):
    response = gql.http.post(GRAPHQL_URL, {"query": "{ hubStats { projects } }"})

    assert response.status_code == 415
    assert error_codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]


def test_malformed_json_is_a_bad_request(gql):
    response = gql.http.post(GRAPHQL_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    payload = response.json()
    assert isinstance(payload["errors"], list)
    assert payload["errors"][0]["message"]
    assert error_codes(payload) == ["BAD_REQUEST"]


def test_a_post_without_a_query_is_a_bad_request(gql):
    response = gql.http.post(GRAPHQL_URL, json.dumps({}), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"]


# GraphQL over HTTP: a request error is 200 under application/json (and without Accept),
# 400 under application/graphql-response+json; never any `data`.
REQUEST_ERROR_STATUS = [
    (None, 200, "application/json"),
    ("application/json", 200, "application/json"),
    ("application/graphql-response+json", 400, "application/graphql-response+json"),
]


@pytest.mark.parametrize(("accept", "status", "media_type"), REQUEST_ERROR_STATUS)
def test_an_unknown_field_is_rejected_by_validation(gql, accept, status, media_type):
    headers = {"Accept": accept} if accept else {}
    response = gql.post("{ hubStats { projects secrets } }", headers=headers)

    assert response.status_code == status
    assert response["Content-Type"].startswith(media_type)
    payload = response.json()
    assert "data" not in payload
    assert "Cannot query field 'secrets'" in payload["errors"][0]["message"]


@pytest.mark.parametrize(("accept", "status", "media_type"), REQUEST_ERROR_STATUS)
def test_a_syntax_error_is_a_request_error(gql, accept, status, media_type):
    headers = {"Accept": accept} if accept else {}
    response = gql.post("{ hubStats { ", headers=headers)

    assert response.status_code == status
    assert response["Content-Type"].startswith(media_type)
    assert "data" not in response.json()
    assert "Syntax Error" in response.json()["errors"][0]["message"]


def test_a_garbage_jwt_is_unauthenticated(gql):
    response = gql.post("{ hubStats { projects } }", headers={"Authorization": "JWT abc"})

    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


def test_an_unknown_auth_scheme_is_unauthenticated(gql, contributor):
    token = get_token(contributor.user)

    response = gql.post("{ hubStats { projects } }", headers={"Authorization": f"Token {token}"})

    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


def test_a_jwt_token_signs_the_viewer_in(gql, contributor):
    LearningFactory(title="Draft", author=contributor, status=ContentStatus.PENDING)
    token = get_token(contributor.user)

    data = gql.query(OWN_PENDING_LEARNING, headers={"Authorization": f"JWT {token}"})

    assert data == {"learning": {"title": "Draft", "status": "PENDING"}}


def test_a_bearer_token_works_too(gql, contributor):
    LearningFactory(title="Draft", author=contributor, status=ContentStatus.PENDING)
    token = get_token(contributor.user)

    data = gql.query(OWN_PENDING_LEARNING, headers={"Authorization": f"Bearer {token}"})

    assert data == {"learning": {"title": "Draft", "status": "PENDING"}}


def test_without_a_token_the_viewer_is_anonymous(gql, contributor):
    LearningFactory(title="Draft", author=contributor, status=ContentStatus.PENDING)

    assert gql.query(OWN_PENDING_LEARNING) == {"learning": None}
