"""X-Request-ID: kept from the proxy when sane, made up otherwise, returned, and logged."""

import logging
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from nexus_graphql import request_id
from nexus_graphql.request_id import RequestIdFilter, RequestIdMiddleware

pytestmark = pytest.mark.django_db

QUERY = "{ hubStats { challenges } }"


def test_a_response_carries_a_new_id(gql):
    response = gql.post(QUERY)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_gets_its_own_id(gql):
    assert gql.post(QUERY)["X-Request-ID"] != gql.post(QUERY)["X-Request-ID"]


def test_the_proxys_id_is_kept(gql):
    response = gql.post(QUERY, headers={"X-Request-ID": "edge-7f3a.42:1"})

    assert response["X-Request-ID"] == "edge-7f3a.42:1"


@pytest.mark.parametrize("sent", ["", "has spaces", 'quote"d', "x" * 129, "line\nbreak"])
def test_an_id_that_is_not_an_id_is_replaced(gql, sent):
    response = gql.post(QUERY, headers={"X-Request-ID": sent})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_log_records_made_during_a_request_carry_its_id():
    seen = []

    class Remember(logging.Handler):
        def emit(self, record):
            seen.append(record.request_id)

    handler = Remember()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("tests.request_id")
    logger.addHandler(handler)

    def view(request):
        logger.warning("inside the request")
        return HttpResponse()

    try:
        request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123")
        RequestIdMiddleware(view)(request)
        logger.warning("after the request")
    finally:
        logger.removeHandler(handler)

    assert seen == ["abc-123", "-"]
    assert request_id.current() is None
