"""Data versions under concurrent writers: bumped at commit in one order, so never a deadlock.

Writers released together by a barrier each change rows of their own of two kinds in
one transaction, half of them in the opposite order, holding their transactions open:
version rows locked as each write happened would deadlock (PostgreSQL would abort
one writer). Bumped at commit, sorted, they only queue.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from hub.models import Challenge, ContentVersion, Technology
from tests.concurrency.conftest import BARRIER_TIMEOUT, THREADS
from tests.factories import ChallengeFactory, TechnologyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_writers_changing_kinds_in_opposite_orders_all_commit():
    # Rows of their own: the writers share nothing but the kinds' version rows.
    rows = [(ChallengeFactory(), TechnologyFactory()) for _ in range(THREADS)]
    before = dict(ContentVersion.objects.values_list("kind", "version"))
    barrier = threading.Barrier(THREADS, timeout=BARRIER_TIMEOUT)
    failures = []

    def write(n: int):
        challenge, technology = rows[n]
        steps = [
            lambda: Challenge.objects.get(pk=challenge.pk).save(update_fields=["title"]),
            lambda: Technology.objects.get(pk=technology.pk).save(update_fields=["name"]),
        ]
        try:
            barrier.wait()
            with transaction.atomic():
                for step in steps if n % 2 else reversed(steps):
                    step()
                    time.sleep(0.05)  # both writers inside, each holding its first write
        except Exception as error:  # the test reports any failure
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    print(f"\nversions race: {THREADS} writers, {len(failures)} failed, "
          f"{time.monotonic() - started:.2f}s")  # fmt: skip

    assert failures == []
    after = dict(ContentVersion.objects.values_list("kind", "version"))
    assert after["Challenge"] > before["Challenge"] and after["Technology"] > before["Technology"]
