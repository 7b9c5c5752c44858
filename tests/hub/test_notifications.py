"""hub.services.notifications: who is emailed about answers, and the outbox's guarantees.

At least once (answers, acceptances): every copy carries the same Message-ID and the record
says sent only once the server took it. At most once (the digest): claimed before sending,
never sent again once claimed. A real worker killed at each point: tests/ops.
"""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.utils import timezone

from hub.models import ContentStatus, SentEmail, Solution
from hub.models.notifications import EmailKind, EmailState
from hub.services import notifications, solutions
from hub.services.notifications import Draft, Outcome
from hub.tasks import deliver_email
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory

pytestmark = pytest.mark.django_db

WAIT_SECONDS = 10


class ScriptedMailServer(EmailBackend):
    """Django's in-memory backend, failing as scripted: each error in `open_errors` is
    raised by one connection attempt, each in `send_errors` by one send."""

    open_errors: list[BaseException] = []
    send_errors: list[BaseException] = []
    sends = 0

    def open(self):
        if ScriptedMailServer.open_errors:
            raise ScriptedMailServer.open_errors.pop(0)
        return super().open()

    def send_messages(self, messages):
        ScriptedMailServer.sends += 1
        if ScriptedMailServer.send_errors:
            raise ScriptedMailServer.send_errors.pop(0)
        return super().send_messages(messages)


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.ScriptedMailServer"
    ScriptedMailServer.open_errors, ScriptedMailServer.send_errors = [], []
    ScriptedMailServer.sends = 0
    return ScriptedMailServer


@pytest.fixture
def asker():
    return ContributorFactory(user__email="asker@example.com", display_name="Asker")


@pytest.fixture
def solver():
    return ContributorFactory(user__email="solver@example.com", display_name="Solver")


@pytest.fixture
def challenge(asker):
    return ChallengeFactory(author=asker, title="Celery tasks run twice")


def answer(solver, challenge, capture, *, execute=True, body="Make the task **idempotent**."):
    with capture(execute=execute):
        return solutions.submit_solution(viewer=solver.user, challenge_id=challenge.pk, body=body)


def record(solution) -> SentEmail:
    return SentEmail.objects.get(object_id=solution.pk)


def become_due(email: SentEmail) -> None:
    SentEmail.objects.filter(pk=email.pk).update(due_at=timezone.now() - timedelta(seconds=1))


# --- a new answer -----------------------------------------------------------------------------


def test_an_answer_emails_the_challenges_author_once_committed(
    challenge, solver, django_capture_on_commit_callbacks
):
    solution = answer(solver, challenge, django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.to == ["asker@example.com"]
    assert email.subject == 'New answer to "Celery tasks run twice"'
    assert "Hello Asker," in email.body
    assert 'Solver answered your challenge "Celery tasks run twice"' in email.body
    assert "Make the task **idempotent**." in email.body
    assert (
        email.message().get("Message-ID") == f"<solution-submitted.{solution.pk}@nexus.localhost>"
    )
    sent = record(solution)
    assert (sent.key, sent.kind, sent.state, sent.attempts) == (
        f"solution-submitted:{solution.pk}",
        EmailKind.SOLUTION_SUBMITTED,
        EmailState.SENT,
        1,
    )
    assert sent.sent_at is not None


def test_the_email_is_recorded_pending_inside_the_answers_transaction(
    challenge, solver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        solution = solutions.submit_solution(
            viewer=solver.user, challenge_id=challenge.pk, body="Ack."
        )
        pending = record(solution)  # before the commit, nothing has left yet
        assert mail.outbox == []

    assert (pending.state, pending.recipient, pending.attempts) == (
        "pending",
        "asker@example.com",
        0,
    )
    assert pending.message_id == f"<solution-submitted.{solution.pk}@nexus.localhost>"
    # Two hooks run on commit: its email's task is queued, the live event is published.
    assert len(callbacks) == 2


def test_an_answer_rolled_back_records_and_queues_nothing(
    challenge, solver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        solutions.submit_solution(viewer=solver.user, challenge_id=challenge.pk, body="An answer.")
        raise RuntimeError("the request failed after the answer was written")

    assert callbacks == []
    assert not SentEmail.objects.exists()


def test_an_answer_to_ones_own_challenge_emails_nobody(
    challenge, asker, django_capture_on_commit_callbacks
):
    answer(asker, challenge, django_capture_on_commit_callbacks, body="Found it myself.")

    assert mail.outbox == []
    assert not SentEmail.objects.exists()


def test_a_long_answer_is_quoted_in_part(challenge, solver, django_capture_on_commit_callbacks):
    answer(solver, challenge, django_capture_on_commit_callbacks, body="word " * 1000)

    [email] = mail.outbox
    assert "word word" in email.body
    assert len(email.body) < notifications.EXCERPT_CHARS + 500


def _delete(solution):
    Solution.objects.filter(pk=solution.pk).delete()


def _hide(solution):
    Solution.objects.filter(pk=solution.pk).update(status=ContentStatus.HIDDEN)


def _forget_askers_address(solution):
    get_user_model().objects.filter(contributor=solution.challenge.author).update(email="")


def _deactivate_asker(solution):
    get_user_model().objects.filter(contributor=solution.challenge.author).update(is_active=False)


@pytest.mark.parametrize("change", [_delete, _hide, _forget_askers_address, _deactivate_asker])
def test_no_email_when_there_is_nobody_to_tell_by_the_time_it_is_sent(
    challenge, solver, change, django_capture_on_commit_callbacks
):
    solution = answer(solver, challenge, django_capture_on_commit_callbacks, execute=False)
    email = record(solution)
    change(solution)

    assert deliver_email.apply(args=[email.pk]).get() == "skipped"
    assert mail.outbox == []
    assert SentEmail.objects.get(pk=email.pk).state == EmailState.CANCELLED


def test_the_email_sent_is_the_one_of_the_time_it_is_sent(
    challenge, solver, asker, django_capture_on_commit_callbacks
):
    solution = answer(solver, challenge, django_capture_on_commit_callbacks, execute=False)
    get_user_model().objects.filter(pk=asker.user.pk).update(email="asker@new.example.com")

    assert notifications.deliver_email(record(solution).pk) is Outcome.SENT
    assert mail.outbox[0].to == ["asker@new.example.com"]
    assert record(solution).recipient == "asker@new.example.com"


# --- an accepted answer -----------------------------------------------------------------------


def test_acceptance_emails_the_answers_author(
    challenge, asker, solver, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=solver)

    with django_capture_on_commit_callbacks(execute=True):
        solutions.accept_solution(viewer=asker.user, solution_id=solution.pk)

    [email] = mail.outbox
    assert email.to == ["solver@example.com"]
    assert email.subject == 'Your answer to "Celery tasks run twice" was accepted'
    assert "Hello Solver," in email.body
    assert "earned you 15 reputation" in email.body
    assert email.message().get("Message-ID") == f"<solution-accepted.{solution.pk}@nexus.localhost>"
    assert record(solution).state == EmailState.SENT


def test_accepting_ones_own_answer_emails_nobody(
    challenge, asker, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=asker)

    with django_capture_on_commit_callbacks(execute=True):
        solutions.accept_solution(viewer=asker.user, solution_id=solution.pk)

    assert mail.outbox == []
    assert not SentEmail.objects.exists()


def test_a_moderator_accepting_an_answer_emails_its_author(
    challenge, solver, moderator, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=solver)

    with django_capture_on_commit_callbacks(execute=True):
        solutions.accept_solution(viewer=moderator.user, solution_id=solution.pk)

    assert [email.to for email in mail.outbox] == [["solver@example.com"]]


def test_accepting_the_already_accepted_answer_again_queues_nothing(
    challenge, asker, solver, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=solver)
    solutions.accept_solution(viewer=asker.user, solution_id=solution.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        solutions.accept_solution(viewer=asker.user, solution_id=solution.pk)

    assert callbacks == []


def test_no_acceptance_email_when_the_answer_was_unaccepted_before_it_was_sent(
    challenge, asker, solver, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=solver)
    with django_capture_on_commit_callbacks():
        solutions.accept_solution(viewer=asker.user, solution_id=solution.pk)
    Solution.objects.filter(pk=solution.pk).update(is_accepted=False, accepted_at=None)

    assert notifications.deliver_email(record(solution).pk) is Outcome.SKIPPED
    assert mail.outbox == []
    assert record(solution).state == EmailState.CANCELLED


# --- at least once: answers and acceptances ---------------------------------------------------


@pytest.fixture
def pending(challenge, solver, django_capture_on_commit_callbacks) -> SentEmail:
    """An answer's email, recorded and not sent yet (its task not run)."""
    return record(answer(solver, challenge, django_capture_on_commit_callbacks, execute=False))


def test_an_email_delivered_twice_is_sent_once(pending):
    assert notifications.deliver_email(pending.pk) is Outcome.SENT
    assert notifications.deliver_email(pending.pk) is Outcome.SKIPPED

    assert len(mail.outbox) == 1
    assert SentEmail.objects.get(pk=pending.pk).attempts == 1


def test_a_failed_try_stays_pending_and_the_sweep_sends_it_later_with_the_same_message_id(
    pending, mail_server, settings
):
    mail_server.send_errors = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    assert notifications.deliver_email(pending.pk) is Outcome.FAILED
    failed = SentEmail.objects.get(pk=pending.pk)
    assert (failed.state, failed.attempts) == (EmailState.PENDING, 1)
    assert failed.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    wait = (failed.due_at - timezone.now()).total_seconds()
    assert settings.EMAIL_RETRY_SECONDS - 5 < wait <= settings.EMAIL_RETRY_SECONDS
    assert notifications.sweep_pending_emails() == 0  # not due yet

    become_due(failed)
    assert notifications.sweep_pending_emails() == 1

    [email] = mail.outbox
    assert email.message().get("Message-ID") == pending.message_id
    sent = SentEmail.objects.get(pk=pending.pk)
    assert (sent.state, sent.attempts, sent.last_error) == (EmailState.SENT, 2, "")


def test_failed_tries_wait_twice_as_long_each_time_and_give_up_after_the_last(
    pending, mail_server, settings
):
    settings.EMAIL_MAX_ATTEMPTS = 3
    mail_server.open_errors = [ConnectionRefusedError(111, "Connection refused")] * 3
    waits = []
    for _ in range(3):
        become_due(pending)
        assert notifications.sweep_pending_emails() == 0
        email = SentEmail.objects.get(pk=pending.pk)
        waits.append(round((email.due_at - timezone.now()).total_seconds() / 60))

    assert waits[:2] == [1, 2]
    assert (email.state, email.attempts) == (EmailState.FAILED, 3)
    assert "ConnectionRefusedError" in email.last_error
    become_due(email)
    assert notifications.sweep_pending_emails() == 0
    assert mail.outbox == []


def test_the_sweep_sends_only_what_is_due_and_stops_at_the_first_failed_try(
    challenge, solver, mail_server, django_capture_on_commit_callbacks
):
    emails = [
        record(answer(solver, challenge, django_capture_on_commit_callbacks, execute=False))
        for _ in range(3)
    ]
    for email in emails[:2]:
        become_due(email)
    assert notifications.sweep_pending_emails() == 2
    assert {m.message().get("Message-ID") for m in mail.outbox} == {
        e.message_id for e in emails[:2]
    }

    become_due(emails[2])
    mail_server.open_errors = [OSError("mail server down")]
    assert notifications.sweep_pending_emails() == 0
    assert mail_server.sends == 2
    assert SentEmail.objects.get(pk=emails[2].pk).state == EmailState.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_at_commit_delays_the_email_and_the_sweep_sends_it(
    challenge, solver, settings
):
    from tests.ops.broker import UNREACHABLE, using_broker

    with using_broker(UNREACHABLE):
        solution = solutions.submit_solution(
            viewer=solver.user, challenge_id=challenge.pk, body="Answered while RabbitMQ is down."
        )

    assert Solution.objects.filter(pk=solution.pk).exists()
    assert mail.outbox == []
    email = record(solution)
    assert (email.state, email.attempts) == (EmailState.PENDING, 0)

    become_due(email)
    assert notifications.sweep_pending_emails() == 1
    assert [m.message().get("Message-ID") for m in mail.outbox] == [email.message_id]


# --- at most once: the digest -----------------------------------------------------------------


def digest(address="staff@example.com", day="2026-11-23") -> SentEmail:
    email, _ = notifications.queue_email(
        kind=EmailKind.WEEKLY_DIGEST,
        key=f"weekly-digest:{day}:{address}",
        draft=Draft.of(address, "Nexus weekly digest", "New challenges: 0"),
    )
    return email


def test_a_digest_is_claimed_then_sent_with_its_own_message_id():
    email = digest()

    assert notifications.deliver_email(email.pk) is Outcome.SENT
    assert notifications.deliver_email(email.pk) is Outcome.SKIPPED

    [sent] = mail.outbox
    assert sent.message().get("Message-ID") == email.message_id
    assert email.message_id.startswith("<weekly-digest.")
    assert email.message_id.endswith("@nexus.localhost>")
    assert digest("other@example.com").message_id != email.message_id
    assert SentEmail.objects.get(pk=email.pk).state == EmailState.SENT


def test_a_digest_claimed_by_a_try_that_died_is_never_sent_again():
    email = digest()
    SentEmail.objects.filter(pk=email.pk).update(state=EmailState.SENDING, attempts=1)

    assert notifications.deliver_email(email.pk) is Outcome.SKIPPED
    become_due(email)
    assert notifications.sweep_pending_emails() == 0
    assert mail.outbox == []
    assert SentEmail.objects.get(pk=email.pk).state == EmailState.SENDING


@pytest.mark.parametrize(
    "where, error",
    [
        ("open", ConnectionRefusedError(111, "Connection refused")),
        ("send", smtplib.SMTPRecipientsRefused({"staff@example.com": (550, b"No such user")})),
        ("send", smtplib.SMTPDataError(451, b"Try again later")),
    ],
    ids=["no connection", "recipient refused", "message refused"],
)
def test_a_digest_that_certainly_did_not_reach_the_server_goes_back_to_pending(
    mail_server, where, error
):
    email = digest()
    getattr(mail_server, f"{where}_errors").append(error)

    assert notifications.deliver_email(email.pk) is Outcome.FAILED
    failed = SentEmail.objects.get(pk=email.pk)
    assert (failed.state, failed.attempts) == (EmailState.PENDING, 1)

    become_due(failed)
    assert notifications.sweep_pending_emails() == 1
    assert len(mail.outbox) == 1


def test_a_digest_whose_conversation_broke_midway_is_left_sending_and_not_sent_again(
    mail_server, caplog
):
    email = digest()
    mail_server.send_errors = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]

    assert notifications.deliver_email(email.pk) is Outcome.UNKNOWN
    unknown = SentEmail.objects.get(pk=email.pk)
    assert (unknown.state, unknown.attempts) == (EmailState.SENDING, 1)
    assert unknown.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert "may or may not have reached the mail server" in caplog.text

    become_due(unknown)
    assert notifications.sweep_pending_emails() == 0
    assert notifications.deliver_email(email.pk) is Outcome.SKIPPED
    assert mail_server.sends == 1


# --- two deliveries at once (PostgreSQL: real row locks) --------------------------------------


class HeldMailServer(EmailBackend):
    """Holds every send until `release` is set, telling `entered` it got there."""

    entered = threading.Event()
    release = threading.Event()
    sends = 0
    lock_timeout = None

    def send_messages(self, messages):
        HeldMailServer.sends += 1
        with connection.cursor() as cursor:  # this thread's transaction, while sending
            cursor.execute(
                "SELECT setting::int / 1000 FROM pg_settings"
                " WHERE name = 'idle_in_transaction_session_timeout'"
            )
            HeldMailServer.lock_timeout = cursor.fetchone()[0]
        HeldMailServer.entered.set()
        assert HeldMailServer.release.wait(WAIT_SECONDS)
        return super().send_messages(messages)


def deliver_in_thread(email_id, outcomes):
    def run():
        try:
            outcomes.append(notifications.deliver_email(email_id))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["at least once", "at most once"])
def test_two_deliveries_at_once_send_one_email(kind, challenge, solver, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    settings.EMAIL_BACKEND = f"{__name__}.HeldMailServer"
    HeldMailServer.entered.clear()
    HeldMailServer.release.clear()
    HeldMailServer.sends = 0
    if kind == "at least once":
        solution = SolutionFactory(challenge=challenge, author=solver)
        email, _ = notifications.queue_email(
            kind=EmailKind.SOLUTION_SUBMITTED,
            key=f"solution-submitted:{solution.pk}",
            draft=Draft.of("asker@example.com", "New answer", ""),
            object_id=solution.pk,
        )
    else:
        email = digest()
    outcomes = []

    first = deliver_in_thread(email.pk, outcomes)
    assert HeldMailServer.entered.wait(WAIT_SECONDS)
    second = deliver_in_thread(email.pk, outcomes)
    if kind == "at most once":
        second.join(WAIT_SECONDS)  # claimed: the second returns at once
    HeldMailServer.release.set()
    first.join(WAIT_SECONDS)
    second.join(WAIT_SECONDS)

    assert sorted(outcomes) == [Outcome.SENT, Outcome.SKIPPED]
    assert HeldMailServer.sends == 1
    assert SentEmail.objects.get(pk=email.pk).state == EmailState.SENT
    if kind == "at least once":
        # The row stays locked while it is sent; if the worker's host vanished,
        # PostgreSQL ends the session (and the lock) after this long.
        assert HeldMailServer.lock_timeout == settings.EMAIL_TIMEOUT * 6
