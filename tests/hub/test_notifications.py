"""hub.services.notifications and its tasks: who is emailed about answers, when, and once."""

import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from hub.models import ContentStatus, SentEmail, Solution
from hub.services import notifications, solutions
from hub.tasks import notify_solution_accepted, notify_solution_submitted
from tests.factories import ChallengeFactory, ContributorFactory, SolutionFactory
from tests.ops.broker import UNREACHABLE, using_broker

pytestmark = pytest.mark.django_db


class FlakyMailServer(EmailBackend):
    """Fails the first `failures` sends like a mail server that is down, then delivers."""

    failures = 1
    attempts = 0

    def send_messages(self, messages):
        FlakyMailServer.attempts += 1
        if FlakyMailServer.attempts <= FlakyMailServer.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyMailServer"
    FlakyMailServer.attempts = 0
    return FlakyMailServer


@pytest.fixture
def asker():
    return ContributorFactory(user__email="asker@example.com", display_name="Asker")


@pytest.fixture
def solver():
    return ContributorFactory(user__email="solver@example.com", display_name="Solver")


@pytest.fixture
def challenge(asker):
    return ChallengeFactory(author=asker, title="Celery tasks run twice")


# --- a new answer -----------------------------------------------------------------------------


def test_an_answer_emails_the_challenges_author_once_committed(
    challenge, solver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        solution = solutions.submit_solution(
            solver.user, challenge_id=challenge.pk, body="Make the task **idempotent**."
        )
        assert mail.outbox == []  # nothing leaves before the commit

    [email] = mail.outbox
    assert email.to == ["asker@example.com"]
    assert email.subject == 'New answer to "Celery tasks run twice"'
    assert "Hello Asker," in email.body
    assert 'Solver answered your challenge "Celery tasks run twice"' in email.body
    assert "Make the task **idempotent**." in email.body
    assert SentEmail.objects.get().key == f"solution-submitted:{solution.pk}"


def test_an_answer_rolled_back_queues_nothing(
    challenge, solver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        solutions.submit_solution(solver.user, challenge_id=challenge.pk, body="An answer.")
        raise RuntimeError("the request failed after the answer was written")

    assert callbacks == []


def test_an_answer_to_ones_own_challenge_emails_nobody(
    challenge, asker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        solutions.submit_solution(asker.user, challenge_id=challenge.pk, body="Found it myself.")

    assert mail.outbox == []
    assert not SentEmail.objects.exists()


def test_a_long_answer_is_quoted_in_part(challenge, solver):
    solution = SolutionFactory(challenge=challenge, author=solver, body="word " * 1000)

    notify_solution_submitted.apply(args=[solution.pk])

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
def test_no_email_when_there_is_nobody_to_tell_by_the_time_the_task_runs(challenge, solver, change):
    solution = SolutionFactory(challenge=challenge, author=solver)
    change(solution)

    assert notify_solution_submitted.apply(args=[solution.pk]).get() is False
    assert mail.outbox == []
    assert not SentEmail.objects.exists()


# --- an accepted answer -----------------------------------------------------------------------


def test_acceptance_emails_the_answers_author(
    challenge, asker, solver, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=solver)

    with django_capture_on_commit_callbacks(execute=True):
        solutions.accept_solution(asker.user, solution.pk)

    [email] = mail.outbox
    assert email.to == ["solver@example.com"]
    assert email.subject == 'Your answer to "Celery tasks run twice" was accepted'
    assert "Hello Solver," in email.body
    assert "earned you 15 reputation" in email.body


def test_accepting_ones_own_answer_emails_nobody(
    challenge, asker, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=asker)

    with django_capture_on_commit_callbacks(execute=True):
        solutions.accept_solution(asker.user, solution.pk)

    assert mail.outbox == []


def test_a_moderator_accepting_an_answer_emails_its_author(
    challenge, solver, moderator, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=solver)

    with django_capture_on_commit_callbacks(execute=True):
        solutions.accept_solution(moderator.user, solution.pk)

    assert [email.to for email in mail.outbox] == [["solver@example.com"]]


def test_accepting_the_already_accepted_answer_again_queues_nothing(
    challenge, asker, solver, django_capture_on_commit_callbacks
):
    solution = SolutionFactory(challenge=challenge, author=solver)
    solutions.accept_solution(asker.user, solution.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        solutions.accept_solution(asker.user, solution.pk)

    assert callbacks == []


def test_no_acceptance_email_when_the_answer_was_unaccepted_before_the_task_ran(
    challenge, asker, solver
):
    solution = SolutionFactory(challenge=challenge, author=solver, is_accepted=False)

    assert notify_solution_accepted.apply(args=[solution.pk, asker.pk]).get() is False
    assert mail.outbox == []


# --- idempotence and retries ------------------------------------------------------------------


def test_a_task_run_twice_sends_its_email_once(challenge, solver):
    solution = SolutionFactory(challenge=challenge, author=solver)

    first = notify_solution_submitted.apply(args=[solution.pk]).get()
    second = notify_solution_submitted.apply(args=[solution.pk]).get()

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    assert SentEmail.objects.count() == 1


def test_a_mail_server_failure_is_retried_and_the_email_sent_once(
    challenge, solver, flaky_mail_server
):
    solution = SolutionFactory(challenge=challenge, author=solver)

    result = notify_solution_submitted.apply(args=[solution.pk])

    assert result.successful(), result.traceback
    assert flaky_mail_server.attempts == 2
    assert len(mail.outbox) == 1
    assert SentEmail.objects.count() == 1


def test_a_mail_server_that_stays_down_leaves_no_record_so_a_later_run_sends(
    challenge, solver, flaky_mail_server
):
    flaky_mail_server.failures = 100
    solution = SolutionFactory(challenge=challenge, author=solver)
    try:
        failed = notify_solution_submitted.apply(args=[solution.pk])
    finally:
        flaky_mail_server.failures = 1

    assert failed.failed()
    assert flaky_mail_server.attempts == notify_solution_submitted.max_retries + 1
    assert not SentEmail.objects.exists()

    flaky_mail_server.attempts = 1  # the server is back
    assert notify_solution_submitted.apply(args=[solution.pk]).get() is True
    assert len(mail.outbox) == 1


def test_without_a_broker_a_failed_send_is_not_retried_inside_the_request(
    challenge, solver, flaky_mail_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        solutions.submit_solution(solver.user, challenge_id=challenge.pk, body="An answer.")

    assert flaky_mail_server.attempts == 1
    assert mail.outbox == []
    assert not SentEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_does_not_fail_the_answer(challenge, solver, caplog):
    with using_broker(UNREACHABLE):
        solution = solutions.submit_solution(
            solver.user, challenge_id=challenge.pk, body="Answered while RabbitMQ is down."
        )

    assert Solution.objects.filter(pk=solution.pk).exists()
    assert mail.outbox == []
    assert any("on_commit" in record.getMessage() for record in caplog.records)
