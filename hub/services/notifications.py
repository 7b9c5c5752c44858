"""Emails to contributors about their answers, sent by background tasks.

The solution services call `solution_submitted` / `solution_accepted` inside
their transaction: the task is queued only once the write commits (a rolled-back
write tells nobody), and a broker outage is logged, never fails the write. The
tasks call `send_*`, which read the rows again (a task may run much later),
never email people about their own doing, and send each email once.
"""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.text import Truncator

from hub.models import ContentStatus, SentEmail, Solution
from hub.services import reputation

logger = logging.getLogger("nexus.notifications")

EXCERPT_CHARS = 600


def solution_submitted(solution: Solution) -> None:
    """Queue the email to the challenge's author about this new answer."""
    from hub.tasks import notify_solution_submitted  # the tasks call back into this module

    _after_commit(notify_solution_submitted, solution.pk)


def solution_accepted(solution: Solution, *, by) -> None:
    """Queue the email to the answer's author; `by` is the contributor who accepted it."""
    from hub.tasks import notify_solution_accepted

    _after_commit(notify_solution_accepted, solution.pk, by.pk)


def send_solution_submitted(solution_id: int) -> bool:
    """Tell a challenge's author about a new answer. False when nothing was sent."""
    solution = _published_solution(solution_id)
    if solution is None:
        return False
    challenge, recipient = solution.challenge, solution.challenge.author
    if recipient is None or recipient.pk == solution.author_id:
        return False
    body = render_to_string(
        "hub/emails/solution_submitted.txt",
        {
            "recipient": recipient,
            "solver": solution.author or "Someone",
            "challenge": challenge,
            "excerpt": Truncator(solution.body).chars(EXCERPT_CHARS),
        },
    )
    return send_once(
        key=f"solution-submitted:{solution.pk}",
        address=recipient.user.email if recipient.user.is_active else "",
        subject=f'New answer to "{challenge.title}"',
        body=body,
    )


def send_solution_accepted(solution_id: int, accepted_by_id: int) -> bool:
    """Tell an answer's author it was accepted. False when nothing was sent."""
    solution = _published_solution(solution_id)
    if solution is None or not solution.is_accepted:
        return False
    recipient = solution.author
    if recipient is None or recipient.pk == accepted_by_id:
        return False
    body = render_to_string(
        "hub/emails/solution_accepted.txt",
        {"recipient": recipient, "challenge": solution.challenge, "points": reputation.ACCEPTED},
    )
    return send_once(
        key=f"solution-accepted:{solution.pk}",
        address=recipient.user.email if recipient.user.is_active else "",
        subject=f'Your answer to "{solution.challenge.title}" was accepted',
        body=body,
    )


def send_once(*, key: str, address: str, subject: str, body: str) -> bool:
    """Send an email unless one was already sent under `key`. False when not sent.

    The record is written and the email sent in one transaction: when sending
    fails the record rolls back, so a retry sends; a concurrent duplicate waits
    on the unique key and then finds the email sent.
    """
    if not address:
        return False
    subject = Truncator(" ".join(subject.split())).chars(
        SentEmail._meta.get_field("subject").max_length
    )
    with transaction.atomic():
        _, created = SentEmail.objects.get_or_create(
            key=key, defaults={"recipient": address, "subject": subject}
        )
        if not created:
            logger.info("email %s already sent", key)
            return False
        send_mail(subject, body, None, [address])
    logger.info("email %s sent", key)
    return True


def _published_solution(solution_id: int) -> Solution | None:
    """The solution, unless it was deleted or hidden since the task was queued."""
    return (
        Solution.objects.select_related("author__user", "challenge__author__user")
        .filter(pk=solution_id, status=ContentStatus.PUBLISHED)
        .first()
    )


def _after_commit(task, *args) -> None:
    def enqueue():
        if task.app.conf.task_always_eager:
            # In-process (no broker): one attempt, no retries keeping the request waiting.
            task.apply(args, retries=task.max_retries)
        else:
            task.delay(*args)

    enqueue.__qualname__ = f"queueing {task.name}{args}"  # named in Django's error log
    # robust: a failure to queue (broker down) is logged, and the write stands.
    transaction.on_commit(enqueue, robust=True)
