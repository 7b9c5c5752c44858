"""Work is charged before it is done: every request pays for its size before it is parsed,
whatever becomes of it (bad JSON, a bad token, the wrong content type, too large)."""

import json
import math
import random

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nexus_graphql import ratelimit
from traffic.models import RequestLog

ADDRESS = "203.0.113.7"
UNIT = 4096


@pytest.fixture
def request_limits(rate_limits, monkeypatch):
    rate_limits.update(request=10_000, query=10_000, mutation=10_000, auth=10_000)
    rate_limits["bytes_per_unit"] = UNIT
    now = 1_900_000_021.0  # one second into a window
    monkeypatch.setattr(ratelimit, "_now", lambda: now)
    return rate_limits


def request_units() -> int:
    key = f"rl:request:ip:{ADDRESS}:{int(ratelimit._now() // 60)}"
    return ratelimit.store().get(key, 0)


def expected_units(sent_bytes: int) -> int:
    return 1 + math.ceil(sent_bytes / UNIT)


def body_of_size(size: int) -> bytes:
    """A valid GraphQL request body of exactly `size` bytes (padded inside the JSON)."""
    base = json.dumps({"query": "{ hubStats { projects } }", "pad": ""})
    body = base[:-2] + "x" * (size - len(base)) + base[-2:]
    assert len(body) == size
    return body.encode()


def http() -> Client:
    return Client(REMOTE_ADDR=ADDRESS)


def test_a_body_is_charged_one_unit_plus_one_per_started_unit_of_bytes(db, request_limits):
    rng = random.Random(4096)
    sizes = [60, UNIT - 1, UNIT, UNIT + 1, 2 * UNIT, 2 * UNIT + 1]
    sizes += sorted(rng.randrange(60, 90_000) for _ in range(10))
    charged = 0
    for size in sizes:
        response = http().post("/graphql/", body_of_size(size), content_type="application/json")

        assert response.status_code == 200, response.content
        charged += expected_units(size)
        assert request_units() == charged, size


def test_a_get_pays_for_its_query_string(db, request_limits):
    query_string = "query=%7B%20hubStats%20%7B%20projects%20%7D%20%7D&raw"
    for padding in (0, UNIT, 3 * UNIT + 5):
        before = request_units()
        full = query_string + "&pad=" + "y" * padding

        http().get("/graphql/?" + full, headers={"Accept": "application/json"})

        assert request_units() - before == expected_units(len(full))


REFUSED = [
    # (what is wrong, body, content type, headers, status)
    ("bad JSON", b'{"query": "{ hubStats', "application/json", {}, 400),
    ("a JSON array", b'[{"query": "{ me { id } }"}]', "application/json", {}, 400),
    ("not UTF-8", b'{"query": "\xff\xfe"}', "application/json", {}, 400),
    ("wrong content type", b"query={ me { id } }", "text/plain", {}, 415),
    ("form body", b"query=%7Bme%7D", "application/x-www-form-urlencoded", {}, 415),
    (
        "bad token",
        b'{"query": "{ me { id } }"}',
        "application/json",
        {"Authorization": "JWT x.y.z"},
        401,
    ),
    (
        "bad scheme",
        b'{"query": "{ me { id } }"}',
        "application/json",
        {"Authorization": "Basic a"},
        401,
    ),
    ("no query", b'{"variables": {}}', "application/json", {}, 400),
    ("too large", b'{"query": "' + b" " * 12_000 + b'{ me { id } }"}', "application/json", {}, 413),
]


@pytest.mark.parametrize(("wrong", "body", "content_type", "headers", "status"), REFUSED)
def test_a_refused_request_has_paid_for_itself(
    db, request_limits, settings, wrong, body, content_type, headers, status
):
    settings.GRAPHQL_MAX_BODY_BYTES = 10_000

    response = http().post("/graphql/", body, content_type=content_type, headers=headers)

    assert response.status_code == status, wrong
    charged_bytes = min(len(body), settings.GRAPHQL_MAX_BODY_BYTES + 1)
    assert request_units() == expected_units(charged_bytes), wrong


def test_other_methods_pay_too(db, request_limits):
    assert http().put("/graphql/", b"{}", content_type="application/json").status_code == 405
    assert http().delete("/graphql/").status_code == 405

    assert request_units() == expected_units(2) + expected_units(0)


def test_past_the_allowance_everything_is_refused_before_it_is_read(db, request_limits, traffic):
    request_limits["request"] = 12
    rng = random.Random(12)
    refused_kinds = [(body, content_type, headers) for _, body, content_type, headers, _ in REFUSED]
    answers = []
    while request_units() <= 12:
        body, content_type, headers = rng.choice(refused_kinds)
        answers.append(
            http().post("/graphql/", body, content_type=content_type, headers=headers).status_code
        )
    assert answers[-1] == 429 and 429 not in answers[:-1]

    # Now a sign-up, a bad body and a good query are all refused unread: nothing is written.
    register = json.dumps(
        {
            "query": 'mutation { register(input: {username: "late", email: "l@example.com", '
            'password: "a long passphrase"}) { errors { code } } }'
        }
    )
    for body in (register, "{not json", json.dumps({"query": "{ hubStats { projects } }"})):
        refused = http().post("/graphql/", body, content_type="application/json")
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert "request units" in refused.json()["errors"][0]["message"]
    assert not get_user_model().objects.filter(username="late").exists()
    logged = list(RequestLog.objects.order_by("id").values_list("status", flat=True))
    assert logged == [*answers, 429, 429, 429]
    assert not any(row.operation_type for row in RequestLog.objects.filter(status=429))


def test_a_declared_length_that_is_no_number_costs_one_unit(rf):
    request = rf.post("/graphql/", b"", content_type="application/json")
    request.META["CONTENT_LENGTH"] = "lots"

    assert ratelimit.request_units(request, UNIT) == 1
