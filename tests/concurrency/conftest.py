"""Mutations raced against a live server: N threads released together by a barrier.

Each test sends real HTTP requests to pytest-django's live server (its own thread and
database connections), then checks every answer and the database afterwards. SQLite
serializes writers and cannot show these races: the package runs on PostgreSQL only
(.ci/run's second stage).
"""

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, F, Q, Sum
from graphql_jwt.shortcuts import get_token
from graphql_relay import to_global_id

from hub.models import Challenge, Contributor, Solution
from hub.services import reputation

THREADS = 8
HTTP_TIMEOUT = 30
BARRIER_TIMEOUT = 20
# Codes no request may ever get, however it races.
FORBIDDEN_CODES = {"INTERNAL_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "mutations(*names): the Mutation fields a concurrency test races"
    )


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="concurrency tests need PostgreSQL: SQLite serializes writers, so no race "
        "can happen (.ci/run runs them on PostgreSQL)"
    )
    for item in items:
        if item.path.parent.name == "concurrency" and item.path.name.endswith("_race.py"):
            item.add_marker(skip)


def gid(obj) -> str:
    return to_global_id(type(obj).__name__, obj.pk)


def token_of(contributor) -> str:
    return get_token(contributor.user)


class Race:
    """Posts GraphQL requests to the live server, alone or many at once."""

    def __init__(self, url: str, capsys):
        self.url = url + "/graphql/"
        self.capsys = capsys

    def post(self, query: str, variables=None, token: str | None = None):
        """(HTTP status, parsed JSON body) of one request."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"JWT {token}"
        request = urllib.request.Request(self.url, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def one(self, query: str, variables=None, token=None) -> dict:
        """One request that must succeed: its (only) root field's payload."""
        status, body = self.post(query, variables, token)
        assert status == 200 and outcome_of(body) == "OK", body
        return next(iter(body["data"].values()))

    def run(self, label: str, calls: list) -> list[str]:
        """Send every (query, variables, token) call at once; their outcomes, in call order.

        An outcome is OK, a payload error's code, or a top-level error's extensions.code.
        Every answer must be HTTP 200 JSON with no code of FORBIDDEN_CODES.
        """
        barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
        answers: list = [None] * len(calls)

        def send(index, query, variables, token):
            barrier.wait()
            try:
                answers[index] = self.post(query, variables, token)
            except Exception as error:  # reported by the assertions below
                answers[index] = (None, repr(error))

        threads = [
            threading.Thread(target=send, args=(i, *call), daemon=True)
            for i, call in enumerate(calls)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=HTTP_TIMEOUT + BARRIER_TIMEOUT)
            assert not thread.is_alive(), f"{label}: a request did not finish"
        elapsed = time.monotonic() - started
        outcomes = []
        for status, body in answers:
            assert status == 200 and isinstance(body, dict), (label, status, body)
            outcomes.append(outcome_of(body))
        assert not FORBIDDEN_CODES & set(outcomes), (label, answers)
        counts = ", ".join(f"{code}={n}" for code, n in sorted(Counter(outcomes).items()))
        with self.capsys.disabled():  # the figures belong in the CI log
            print(f"\nconcurrency {label}: {len(calls)} threads, {counts}, {elapsed:.2f}s")
        return outcomes


def outcome_of(body: dict) -> str:
    """OK, or the code of a request's (one root field's) first error."""
    if body.get("errors"):
        return body["errors"][0].get("extensions", {}).get("code", "GRAPHQL_ERROR")
    payload = next(iter((body.get("data") or {}).values()), None)
    errors = (payload or {}).get("errors") or []
    return errors[0]["code"] if errors else "OK"


def assert_hub_consistent() -> None:
    """What the database holds follows the rules, whatever interleaving produced it."""
    wrong_scores = Solution.objects.annotate(votes_sum=Sum("votes__value", default=0)).exclude(
        score=F("votes_sum")
    )
    assert not wrong_scores.exists(), "a score differs from the sum of its votes"
    earned = Counter()
    solutions = Solution.objects.annotate(
        ups=Count("votes", filter=Q(votes__value=1)),
        downs=Count("votes", filter=Q(votes__value=-1)),
        challenge_author_id=F("challenge__author_id"),
    )
    for s in solutions:
        earned[s.author_id] += reputation.UPVOTE * s.ups + reputation.DOWNVOTE * s.downs
        if s.is_accepted:
            earned[s.author_id] += reputation.get_accepted_worth(s.author_id, s.challenge_author_id)
    actual = dict(Contributor.objects.values_list("pk", "reputation"))
    assert actual == {pk: earned[pk] for pk in actual}, "reputation differs from the rule"
    accepted = Challenge.objects.annotate(
        accepted=Count("solutions", filter=Q(solutions__is_accepted=True))
    ).filter(accepted__gt=1)
    assert not accepted.exists(), "a challenge has two accepted solutions"


@pytest.fixture
def race(live_server, transactional_db, settings, capsys):
    """A Race against the live server, rate limits off (this is not about them)."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "enabled": False}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GRAPHQL_INTROSPECTION = True
    yield Race(live_server.url, capsys)
    assert_hub_consistent()
