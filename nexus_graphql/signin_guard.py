"""Failed sign-ins lock the account and the address, with a backoff (django-axes' idea).

Failures are counted per account (the submitted username after NFKC + case folding,
whether or not such an account exists) and per address (`client_ip.rate_limit_key`:
IPv6 per /64), in the "ratelimit" cache. From the K-th failure (SIGNIN_GUARD
account_failures, or address_failures for an address) sign-in is refused for
lock_seconds, and each further failure doubles that, up to max_lock_seconds:

    failures:  K      K+1     K+2     ...
    locked:    base   2 base  4 base  ... capped

Failures are remembered for memory_seconds after the first; a successful sign-in clears
the account's count (not the address's: one known password must not wipe a guesser's
record). Refused attempts check no password and are not failures.

`SigninGuardBackend`, first in AUTHENTICATION_BACKENDS, refuses a locked sign-in by
raising PermissionDenied, which stops django.contrib.auth.authenticate() before any
backend checks a password; the refusal costs one cache read whether or not the account
exists, so it tells nothing about accounts. It leaves a `SigninLocked` for the caller of
authenticate() (`take_refusal`; schema.accounts.tokens.TokenAuth makes it RATE_LIMITED).
While the cache cannot count, each process guards on its own, as with the rate limits
(`ratelimit.counted`).
"""

import hashlib
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from graphql import GraphQLError
from graphql_jwt.signals import token_issued

from hub.models.people import username_key
from nexus_graphql.client_ip import client_ip, rate_limit_key
from nexus_graphql.ratelimit import counted

_now = time.time  # the clock, replaceable in tests


@dataclass(frozen=True)
class SigninLocked:
    retry_after: int

    def as_graphql_error(self) -> GraphQLError:
        return GraphQLError(
            "Too many failed sign-ins for this account or from this address. "
            f"Retry after {self.retry_after} seconds.",
            extensions={"code": "RATE_LIMITED", "retryAfter": self.retry_after},
        )


def lock_seconds(failures: int, threshold: int) -> int:
    """How long `failures` failures lock for: none below the threshold, then doubling."""
    config = settings.SIGNIN_GUARD
    if failures < threshold:
        return 0
    # Bounded exponent: a count in the millions must not build a huge integer.
    doublings = min(failures - threshold, config["max_lock_seconds"].bit_length())
    return min(config["lock_seconds"] << doublings, config["max_lock_seconds"])


def _subjects(username, request) -> list[tuple[str, int]]:
    """(key prefix, failures that lock) for the account and, with a request, the address."""
    config = settings.SIGNIN_GUARD
    subjects = []
    if isinstance(username, str):
        subjects.append((_account_prefix(username), config["account_failures"]))
    if request is not None:
        address = rate_limit_key(client_ip(request))
        subjects.append((f"signin:address:{address}", config["address_failures"]))
    return subjects


def locked_for(username, request) -> int:
    """Seconds until the account or address may try again; 0 when free."""
    keys = [f"{prefix}:until" for prefix, _ in _subjects(username, request)]
    until = counted(lambda counters: counters.get_many(keys))
    remaining = max((value - _now() for value in until.values()), default=0)
    return max(0, int(remaining + 0.999))


def record_failure(username, request) -> None:
    subjects = _subjects(username, request)
    counted(lambda counters: _record_failure(counters, subjects))


def _record_failure(counters, subjects: list[tuple[str, int]]) -> None:
    memory = settings.SIGNIN_GUARD["memory_seconds"]
    for prefix, threshold in subjects:
        key = f"{prefix}:failures"
        failures = 1 if counters.add(key, 1, timeout=memory) else counters.incr(key)
        if seconds := lock_seconds(failures, threshold):
            counters.set(f"{prefix}:until", _now() + seconds, timeout=memory)


def _account_prefix(username: str) -> str:
    # Hashed: a submitted username is any text up to the body limit, and keys are kept.
    canonical = username_key(username).encode("utf-8", "surrogatepass")
    return f"signin:account:{hashlib.sha256(canonical).hexdigest()[:32]}"


def clear_account(username) -> None:
    prefix = _account_prefix(username)
    keys = [f"{prefix}:failures", f"{prefix}:until"]
    counted(lambda counters: counters.delete_many(keys))


# The lock that refused the current authenticate() call (per thread and task); the
# backend, first to run in every call, sets it afresh each time.
_refusal: ContextVar[SigninLocked | None] = ContextVar("signin_refusal", default=None)


def take_refusal() -> SigninLocked | None:
    """The lock that refused the last authenticate() call here, if one did (and forget it)."""
    refusal = _refusal.get()
    _refusal.set(None)
    return refusal


class SigninGuardBackend:
    """Refuses, before any password is checked, sign-ins of a locked account or address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        _refusal.set(None)
        if username is None or not settings.SIGNIN_GUARD["enabled"]:
            return None
        retry_after = locked_for(username, request)
        if retry_after:
            _refusal.set(SigninLocked(retry_after))
            raise PermissionDenied
        return None

    def get_user(self, user_id):
        # Never authenticates anyone; as the first backend it is what force_login() and
        # login() without a backend record in a session, so it reads users like ModelBackend.
        return ModelBackend().get_user(user_id)


def _failed(sender, credentials=None, request=None, **kwargs) -> None:
    if not settings.SIGNIN_GUARD["enabled"] or not credentials:
        return
    if _refusal.get() is not None:
        return  # refused while locked: no password was checked
    record_failure(credentials.get("username"), request)


def _succeeded(sender, user=None, **kwargs) -> None:
    if settings.SIGNIN_GUARD["enabled"] and user is not None:
        clear_account(user.get_username())


user_login_failed.connect(_failed, dispatch_uid="nexus-signin-guard-failed")
user_logged_in.connect(_succeeded, dispatch_uid="nexus-signin-guard-logged-in")
token_issued.connect(_succeeded, dispatch_uid="nexus-signin-guard-token-issued")
