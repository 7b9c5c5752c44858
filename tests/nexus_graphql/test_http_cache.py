"""GraphQL over HTTP: media types, and what browsers and CDNs may keep (http_cache)."""

import json

import pytest
from django.test import Client

from nexus_graphql.http_cache import if_none_match_passes
from tests.conftest import GRAPHQL_URL

QUERY = "{ hubStats { challenges } }"
GRJ = "application/graphql-response+json"


def get(query=QUERY, **headers):
    return Client().get(
        GRAPHQL_URL, {"query": query}, headers={"Accept": "application/json", **headers}
    )


@pytest.mark.parametrize(
    "accept, media_type",
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRJ, GRJ),
        (f"{GRJ}, application/json", GRJ),
        (f"application/json, {GRJ}", "application/json"),
        (f"{GRJ}, application/json;q=0.9", GRJ),  # what Apollo Client 4 sends
        (f"application/json, {GRJ};q=0.5", "application/json"),
        ("application/*", "application/json"),
        ("text/plain", "application/json"),  # nothing it can take: the legacy default
    ],
)
def test_the_media_type_follows_the_accept_header(db, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = Client().post(
        GRAPHQL_URL, json.dumps({"query": QUERY}), content_type="application/json", headers=headers
    )

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type
    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}


def test_graphql_response_json_says_its_charset(db):
    response = get(Accept=GRJ)

    assert response["Content-Type"] == f"{GRJ}; charset=utf-8"


def test_a_successful_anonymous_get_query_is_public_for_a_short_while(db, settings):
    settings.GRAPHQL_HTTP_MAX_AGE = 30

    response = get()

    assert response["Cache-Control"] == "public, max-age=30"
    assert response["ETag"].startswith('W/"')
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"accept", "authorization"} <= vary


def test_max_age_zero_means_revalidate_every_time(db, settings):
    settings.GRAPHQL_HTTP_MAX_AGE = 0

    assert get()["Cache-Control"] == "public, no-cache"


def test_the_etag_is_the_bodys(db):
    first, again, other = get(), get(), get("{ hubStats { projects } }")

    assert first["ETag"] == again["ETag"]
    assert other["ETag"] != first["ETag"]
    assert get(Accept=GRJ)["ETag"] != first["ETag"]  # another representation


@pytest.mark.parametrize(
    "header",
    ["{etag}", "{strong}", '"other", {etag}', 'W/"other",{strong}', "*"],
)
def test_if_none_match_compares_weakly(db, header):
    etag = get()["ETag"]
    strong = etag.removeprefix("W/")

    response = get(**{"If-None-Match": header.format(etag=etag, strong=strong)})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"].startswith("public")
    assert "Content-Type" not in response


@pytest.mark.parametrize("header", ['"other"', 'W/"other"', "garbage", ""])
def test_another_etag_gets_the_body(db, header):
    response = get(**{"If-None-Match": header})

    assert response.status_code == 200
    assert response.json() == {"data": {"hubStats": {"challenges": 0}}}


def test_a_get_with_errors_is_not_cacheable(db):
    response = get("{ hubStats { secrets } }")

    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_a_signed_in_get_is_private(member_gql):
    response = get(Authorization=f"JWT {member_gql.token}")

    assert response.json()["data"]
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_a_signed_in_get_never_answers_304(member_gql):
    etag = get()["ETag"]

    response = get(Authorization=f"JWT {member_gql.token}", **{"If-None-Match": etag})

    assert response.status_code == 200


def test_posts_are_not_cacheable(gql):
    response = gql.post(QUERY)

    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_a_mutation_over_get_is_a_405_naming_post(db):
    mutation = 'mutation { revokeToken(refreshToken: "x") { revoked } }'
    response = Client().get(GRAPHQL_URL, {"query": mutation}, headers={"Accept": GRJ})

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith(GRJ)
    assert response["Cache-Control"] == "private, no-store"


def test_another_method_is_a_405_naming_get_and_post(db):
    response = Client().put(GRAPHQL_URL, "{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_graphiql_varies_on_accept(db):
    response = Client().get(GRAPHQL_URL, headers={"Accept": "text/html"})

    assert response["Content-Type"].startswith("text/html")
    assert "accept" in response["Vary"].lower()


@pytest.mark.parametrize(
    "header, passes",
    [
        ("", True),
        ('W/"a"', False),
        ('"a"', False),
        ('"b", W/"a"', False),
        ("*", False),
        ('"b"', True),
        ('W/"ab"', True),
    ],
)
def test_if_none_match_passes(header, passes):
    assert if_none_match_passes(header, 'W/"a"') is passes
