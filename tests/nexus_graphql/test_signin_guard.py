"""Failed sign-ins lock the account and the address, with a doubling backoff; a locked
sign-in is refused before any password is checked, the same way for any username."""

import random

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.test import RequestFactory
from graphql_jwt.refresh_token.utils import get_refresh_token_model

from nexus_graphql import ratelimit, signin_guard
from tests.factories import PASSWORD, ContributorFactory
from tests.nexus_graphql.conftest import client_from
from traffic.models import RequestLog

SIGN_IN = """
mutation SignIn($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token refreshToken }
}"""
WRONG = "not-" + PASSWORD


@pytest.fixture(autouse=True)
def guard(settings, monkeypatch):
    """Small thresholds, a stopped clock, fast hashes, and the rate limits out of the way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "enabled": False}
    settings.SIGNIN_GUARD = {
        "enabled": True,
        "account_failures": 3,
        "address_failures": 8,
        "lock_seconds": 60,
        "max_lock_seconds": 600,
        "memory_seconds": 86_400,
    }
    now = [1_900_000_000.0]
    monkeypatch.setattr(signin_guard, "_now", lambda: now[0])
    return now


@pytest.fixture
def password_checks(monkeypatch):
    """How many times a password was checked (Django's model backend ran)."""
    calls = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


def sign_in(ip: str, username: str, password: str) -> dict:
    return client_from(ip).post(SIGN_IN, {"username": username, "password": password}).json()


def code_of(answer: dict) -> str | None:
    errors = answer.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


def request_from(ip: str):
    return RequestFactory().post("/graphql/", REMOTE_ADDR=ip)


# The schedule, generated: any threshold, base and cap, with a caller that waits out each lock.


def expected_lock(failures: int, threshold: int, base: int, cap: int) -> int:
    return 0 if failures < threshold else min(base * 2 ** (failures - threshold), cap)


@pytest.mark.parametrize(
    ("threshold", "base", "cap"), [(1, 1, 1), (3, 60, 600), (5, 30, 3600), (2, 7, 100_000)]
)
def test_each_failure_from_the_threshold_on_doubles_the_lock_up_to_the_cap(
    settings, guard, threshold, base, cap
):
    settings.SIGNIN_GUARD.update(
        account_failures=threshold, lock_seconds=base, max_lock_seconds=cap
    )
    schedule = []
    for failures in range(1, threshold + 25):
        signin_guard.record_failure("ada", None)

        locked = signin_guard.locked_for("ada", None)

        assert locked == expected_lock(failures, threshold, base, cap), failures
        schedule.append(locked)
        guard[0] += locked - 1
        assert signin_guard.locked_for("ada", None) == min(1, locked)  # a second to go
        guard[0] += 1  # waited out: the next try is a real one
        assert signin_guard.locked_for("ada", None) == 0
    assert schedule[threshold - 1 :][:3] == [min(base, cap), min(2 * base, cap), min(4 * base, cap)]
    assert schedule[-1] == cap


def test_a_huge_failure_count_locks_for_the_cap(settings):
    assert signin_guard.lock_seconds(10**9, 3) == settings.SIGNIN_GUARD["max_lock_seconds"]


def test_the_account_is_one_whatever_the_case_or_unicode_form_of_its_name(guard):
    for spelling in ["Ada", "ADA", "\uff41\uff44\uff41"]:  # the last: fullwidth "ada"
        signin_guard.record_failure(spelling, None)

    assert signin_guard.locked_for("ada", None) == 60
    assert signin_guard.locked_for("bob", None) == 0


# Over HTTP.


def test_a_locked_account_is_refused_before_its_password_is_checked(db, password_checks):
    user = ContributorFactory().user
    answers = [sign_in("203.0.113.1", user.username, WRONG) for _ in range(3)]
    assert [code_of(a) for a in answers] == ["UNAUTHENTICATED"] * 3
    assert len(password_checks) == 3

    refused = sign_in("203.0.113.2", user.username, PASSWORD)  # the right one, elsewhere

    error = refused["errors"][0]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 60}
    assert "Retry after 60 seconds" in error["message"]
    assert refused["data"] == {"tokenAuth": None}
    assert len(password_checks) == 3
    assert not get_refresh_token_model().objects.filter(user=user).exists()


def test_an_unknown_account_locks_and_is_refused_in_the_same_words(db, password_checks):
    user = ContributorFactory().user
    for username in (user.username, "nobody-at-all"):
        for _ in range(3):
            sign_in("203.0.113.1", username, WRONG)
    checks = len(password_checks)

    known = sign_in("203.0.113.3", user.username, PASSWORD)
    unknown = sign_in("203.0.113.3", "nobody-at-all", PASSWORD)

    assert known == unknown
    assert code_of(known) == "RATE_LIMITED"
    assert len(password_checks) == checks


def test_once_the_lock_has_passed_the_right_password_signs_in_and_clears_the_count(db, guard):
    user = ContributorFactory().user
    for _ in range(3):
        sign_in("203.0.113.1", user.username, WRONG)
    guard[0] += 60

    signed_in = sign_in("203.0.113.1", user.username, PASSWORD)

    assert signed_in["data"]["tokenAuth"]["token"]
    assert get_refresh_token_model().objects.filter(user=user).count() == 1
    # A fresh count: two more failures do not lock again.
    for _ in range(2):
        assert code_of(sign_in("203.0.113.1", user.username, WRONG)) == "UNAUTHENTICATED"
    assert signin_guard.locked_for(user.username, None) == 0


def test_attempts_refused_while_locked_do_not_lengthen_the_lock(db, guard):
    for _ in range(3):
        sign_in("203.0.113.1", "ada", WRONG)
    for _ in range(20):
        assert code_of(sign_in("203.0.113.1", "ada", WRONG)) == "RATE_LIMITED"
    guard[0] += 60
    sign_in("203.0.113.1", "ada", WRONG)  # the 4th real failure

    assert signin_guard.locked_for("ada", None) == 120


def test_generated_interleavings_of_guesses_and_waits_follow_the_schedule(db, guard, settings):
    """Random sequences of wrong and right passwords, waits and addresses, checked against
    a model of the account rule (addresses out of the way), and the tokens issued."""
    settings.SIGNIN_GUARD["address_failures"] = 10_000
    user = ContributorFactory().user
    rng = random.Random(2024)
    failures, locked_until, successes = 0, 0.0, 0
    for step in range(60):
        ip = f"198.51.100.{step % 5}"
        action = rng.choice(["wrong", "wrong", "right", "wait", "long wait"])
        if action == "wait":
            guard[0] += rng.randrange(1, 90)
            continue
        if action == "long wait":
            guard[0] += 700
            continue
        answer = sign_in(ip, user.username, WRONG if action == "wrong" else PASSWORD)
        if guard[0] < locked_until:
            assert code_of(answer) == "RATE_LIMITED", step
            assert answer["errors"][0]["extensions"]["retryAfter"] == int(locked_until - guard[0])
        elif action == "wrong":
            assert code_of(answer) == "UNAUTHENTICATED", step
            failures += 1
            if lock := expected_lock(failures, 3, 60, 600):
                locked_until = guard[0] + lock
        else:
            assert answer["data"]["tokenAuth"]["token"], step
            failures, successes = 0, successes + 1
    assert get_refresh_token_model().objects.filter(user=user).count() == successes


def test_an_address_guessing_many_accounts_is_locked_for_all_of_them(db, password_checks):
    victim = ContributorFactory().user
    for n in range(8):  # 8 accounts, one failure each: none of them is locked
        sign_in("2001:db8:5:6::1", f"guess{n}", WRONG)
    checks = len(password_checks)

    # From anywhere in that /64, even the right password of another account waits.
    refused = sign_in("2001:db8:5:6:ffff::9", victim.username, PASSWORD)
    elsewhere = sign_in("2001:db8:5:7::1", victim.username, PASSWORD)

    assert code_of(refused) == "RATE_LIMITED"
    assert len(password_checks) == checks + 1  # only the call from elsewhere checked one
    assert elsewhere["data"]["tokenAuth"]["token"]
    # The victim's success did not wipe the guessing address's record.
    assert code_of(sign_in("2001:db8:5:6::2", victim.username, PASSWORD)) == "RATE_LIMITED"


def test_aliases_in_one_request_are_each_an_attempt(db, password_checks):
    selections = " ".join(
        f'a{n}: tokenAuth(username: "ada", password: "guess{n}") {{ token }}' for n in range(6)
    )

    # Outside django-zeal's guard: k sign-ins are k user lookups by design.
    answer = (
        client_from("203.0.113.1")
        .http.post("/graphql/", {"query": f"mutation {{ {selections} }}"}, "application/json")
        .json()
    )

    codes = sorted((e["path"][0], e["extensions"]["code"]) for e in answer["errors"])
    assert codes == [(f"a{n}", "UNAUTHENTICATED") for n in range(3)] + [
        (f"a{n}", "RATE_LIMITED") for n in range(3, 6)
    ]
    assert len(password_checks) == 3


def test_failed_and_refused_sign_ins_are_both_marked_in_the_request_log(db, traffic):
    for _ in range(4):
        sign_in("203.0.113.1", "ada", WRONG)

    assert list(RequestLog.objects.values_list("auth_failed", flat=True)) == [True] * 4


def test_every_authenticate_call_is_guarded_not_only_tokenauth(db, password_checks):
    user = ContributorFactory().user
    for _ in range(3):
        assert (
            authenticate(request_from("203.0.113.1"), username=user.username, password=WRONG)
            is None
        )

    # The admin's login (or any caller of authenticate) is refused too, with or without a request.
    assert authenticate(None, username=user.username, password=PASSWORD) is None
    assert (
        authenticate(request_from("203.0.113.9"), username=user.username, password=PASSWORD) is None
    )
    assert len(password_checks) == 3


def test_the_guard_can_be_switched_off(db, settings):
    settings.SIGNIN_GUARD["enabled"] = False
    user = ContributorFactory().user
    for _ in range(5):
        sign_in("203.0.113.1", user.username, WRONG)

    assert sign_in("203.0.113.1", user.username, PASSWORD)["data"]["tokenAuth"]["token"]


def test_during_a_store_outage_each_process_still_guards_sign_ins(db, monkeypatch):
    class DownStore:
        def __getattr__(self, name):
            raise ConnectionError("store down")

    monkeypatch.setattr(ratelimit, "store", DownStore)  # the guard counts through it
    ratelimit._OUTAGE_STORE.clear()
    user = ContributorFactory().user
    try:
        answers = [code_of(sign_in("203.0.113.1", user.username, WRONG)) for _ in range(4)]
        locked = code_of(sign_in("203.0.113.1", user.username, PASSWORD))
    finally:
        ratelimit._OUTAGE_STORE.clear()

    assert answers == ["UNAUTHENTICATED"] * 3 + ["RATE_LIMITED"]
    assert locked == "RATE_LIMITED"


def test_usernames_of_any_size_or_form_lock_under_small_keys():
    names = [s * n for s in ["x", "\u00e9", "\ud800", "\x00", "\uff71"] for n in (1, 50_000)]
    for username in names:
        for _ in range(3):
            signin_guard.record_failure(username, None)

        assert signin_guard.locked_for(username, None) == 60
        assert len(signin_guard._account_prefix(username)) < 60
    assert len({signin_guard._account_prefix(name) for name in names}) == len(names)
