"""Emails from the hub, through an outbox, with a delivery guarantee chosen per kind.

Exactly-once delivery to a mail server is impossible: a sender that dies after the
server accepted a message, and before it recorded that, cannot know whether to send
again. So each kind chooses (README "Email delivery"):

- At least once: a new answer to one's challenge, one's answer accepted. Send, then
  mark sent. A crash anywhere before the mark sends the email again, with the same
  Message-ID (`message_id`), so a receiver can drop the repeat. The row stays locked
  while it is sent, so a second delivery running at the same time skips it.
- At most once: the weekly digest, where a repeat is worse than a miss. Claim the row
  (pending to sending) and commit, then send, then mark sent. After a crash past the
  claim it is never sent again and stays `sending` for an operator to see. A try that
  certainly did not reach the server (no connection, or the server answered no) goes
  back to pending.

The row is written pending inside the transaction of the write it is about (the
solution services call `solution_submitted` / `solution_accepted` inside theirs), so a
committed write always has its email and a rolled-back one has none. Its task is queued
once the write commits; if the broker is down then, or the task is lost, the sweep
(`sweep`, run by Celery beat every minute) sends what is still pending past its due time.
A failed try is recorded and left to the sweep, with a doubling wait. Sending reads the
rows again (a task may run much later): nobody is told about an answer that is gone.
"""

import contextlib
import hashlib
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import Truncator

from hub.models import ContentStatus, SentEmail, Solution
from hub.models.notifications import EmailKind, EmailState
from hub.services import reputation

logger = logging.getLogger("nexus.notifications")

EXCERPT_CHARS = 600
AT_MOST_ONCE = frozenset({EmailKind.WEEKLY_DIGEST})
SWEEP_BATCH = 100
RETRY_MAX_SECONDS = 3600
# A locked row being sent is released by PostgreSQL if its worker vanishes without closing
# the connection (host lost): this many SMTP timeouts, more than a real send takes.
LOCK_TIMEOUT_IN_SMTP_TIMEOUTS = 6

_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


class Outcome(StrEnum):
    SENT = "sent"  # the mail server accepted it, just now
    SKIPPED = "skipped"  # nothing to do: sent, being sent, cancelled, failed or unknown
    FAILED = "failed"  # this try failed: due again later, unless it was the last
    UNKNOWN = "unknown"  # at most once: it may have reached the server; never sent again


@dataclass(frozen=True)
class Draft:
    address: str
    subject: str
    body: str

    @classmethod
    def of(cls, address: str, subject: str, body: str) -> "Draft":
        """The subject on one line, within the record's length."""
        limit = SentEmail._meta.get_field("subject").max_length
        return cls(address, Truncator(" ".join(subject.split())).chars(limit), body)


class _NotSent(Exception):
    """The mail server was never reached, or refused the message: nothing was delivered."""


class _MaybeSent(Exception):
    """The conversation broke after it began: the server may have accepted the message."""


# --- recording, in the caller's transaction ----------------------------------------------------


def notify_solution_submitted(solution: Solution) -> None:
    """Record the email telling the challenge's author about this new answer."""
    _record(EmailKind.SOLUTION_SUBMITTED, solution.pk)


def notify_solution_accepted(solution: Solution, *, by) -> None:
    """Record the email telling the answer's author; `by` is who accepted it."""
    if by.pk != solution.author_id:  # nobody is emailed about their own doing
        _record(EmailKind.SOLUTION_ACCEPTED, solution.pk)


def queue_email(*, kind: str, key: str, draft: Draft, object_id: int | None = None):
    """The outbox row under `key`, written pending unless one exists: (row, created)."""
    now = timezone.now()
    return SentEmail.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "object_id": object_id,
            "recipient": draft.address,
            "subject": draft.subject,
            "body": draft.body,
            "message_id": get_message_id(key),
            "created_at": now,
            "due_at": now + timedelta(seconds=settings.EMAIL_RETRY_SECONDS),
        },
    )


def get_message_id(key: str) -> str:
    """The Message-ID of every copy of the email under `key`: <kind.id@domain>."""
    local = key.replace(":", ".")
    if not _DOT_ATOM.fullmatch(local):  # a digest's key holds an address
        local = f"{key.partition(':')[0]}.{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    return f"<{local}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def _record(kind: str, solution_id: int) -> None:
    draft = _compose(kind, solution_id)
    if draft is None:
        return
    email, created = queue_email(
        kind=kind, key=f"{kind}:{solution_id}", draft=draft, object_id=solution_id
    )
    if created:
        # robust: the write has committed; a failure to queue is the sweep's to repair.
        transaction.on_commit(partial(_publish, email.pk), robust=True)


def _publish(email_id: int) -> None:
    from hub.tasks import deliver_email  # the tasks call back into this module

    import_string(settings.EMAIL_TASK_PUBLISHER)(deliver_email, email_id)


# --- sending -------------------------------------------------------------------------------------


def deliver_email(email_id: int) -> Outcome:
    """Send one pending email with its kind's guarantee. Call it outside any transaction:
    the at-most-once claim must commit before the email leaves."""
    email = SentEmail.objects.filter(pk=email_id).only("kind", "state").first()
    if email is None or email.state != EmailState.PENDING:
        return Outcome.SKIPPED
    if email.kind in AT_MOST_ONCE:
        return _deliver_at_most_once(email_id)
    return _deliver_at_least_once(email_id)


def sweep_pending_emails(*, limit: int = SWEEP_BATCH) -> int:
    """Send the pending emails past their due time, oldest first; how many were sent.

    Stops at the first try that fails: the mail server is likely down, and each further
    try would wait for its timeout. The rest are due again at the next sweep.
    """
    due = list(
        SentEmail.objects.filter(state=EmailState.PENDING, due_at__lte=timezone.now())
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for email_id in due:
        outcome = deliver_email(email_id)
        if outcome is Outcome.SENT:
            sent += 1
        elif outcome is not Outcome.SKIPPED:
            break
    if due:
        logger.info("outbox sweep: %d of %d due emails sent", sent, len(due))
    return sent


def _pending(email_id: int):
    return SentEmail.objects.filter(pk=email_id, state=EmailState.PENDING)


def _deliver_at_least_once(email_id: int) -> Outcome:
    # Counted in a commit of its own, so tries cut short by a crash count too.
    if not _pending(email_id).update(attempts=F("attempts") + 1, attempted_at=timezone.now()):
        return Outcome.SKIPPED
    try:
        with transaction.atomic():
            email = _pending(email_id).select_for_update(skip_locked=True).first()
            if email is None:
                logger.info("email %s: sent meanwhile, or being sent by another delivery", email_id)
                return Outcome.SKIPPED
            _release_lock_if_worker_vanishes()
            draft = _current_draft(email)
            if draft is None:
                _finish(email, EmailState.CANCELLED)
                logger.info("email %s cancelled: nobody to tell any more", email.key)
                return Outcome.SKIPPED
            _transmit(email.message_id, draft)
            _finish(email, EmailState.SENT, draft)
    except (_NotSent, _MaybeSent) as failure:  # rolled back: still pending, sent again
        return _failed(email_id, failure.__cause__, claimed_as=EmailState.PENDING)
    logger.info("email %s sent", email.key)
    return Outcome.SENT


def _deliver_at_most_once(email_id: int) -> Outcome:
    # The claim commits before anything is sent: a claimed email is never sent twice.
    claimed = _pending(email_id).update(
        state=EmailState.SENDING, attempts=F("attempts") + 1, attempted_at=timezone.now()
    )
    if not claimed:
        return Outcome.SKIPPED
    email = SentEmail.objects.get(pk=email_id)
    draft = _current_draft(email)
    try:
        _transmit(email.message_id, draft)
    except _NotSent as failure:
        return _failed(email_id, failure.__cause__, claimed_as=EmailState.SENDING)
    except _MaybeSent as failure:
        SentEmail.objects.filter(pk=email_id).update(last_error=_describe(failure.__cause__))
        logger.error(
            "email %s may or may not have reached the mail server (%s): left sending, "
            "never sent again",
            email.key,
            _describe(failure.__cause__),
        )
        return Outcome.UNKNOWN
    _finish(email, EmailState.SENT, draft)
    logger.info("email %s sent", email.key)
    return Outcome.SENT


def _transmit(message_id_header: str, draft: Draft) -> None:
    """Hand the email to the mail server; raises _NotSent or _MaybeSent."""
    message = EmailMessage(
        draft.subject, draft.body, None, [draft.address], headers={"Message-ID": message_id_header}
    )
    backend = get_connection()
    try:
        backend.open()
    except Exception as error:  # whatever the backend raises: the server was never reached
        raise _NotSent from error
    try:
        try:
            backend.send_messages([message])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
            raise _NotSent from error  # the server answered no
        except Exception as error:
            raise _MaybeSent from error
    finally:
        with contextlib.suppress(Exception):
            backend.close()  # QUIT: nothing rides on its answer


def _current_draft(email: SentEmail) -> Draft | None:
    if email.object_id is None:  # composed once, when recorded (the digest)
        return Draft(email.recipient, email.subject, email.body)
    return _compose(email.kind, email.object_id)


def _finish(email: SentEmail, state: str, draft: Draft | None = None) -> None:
    email.state, email.last_error = state, ""
    fields = ["state", "last_error"]
    if draft is not None:  # what was sent, as it was sent
        email.recipient, email.subject, email.body = draft.address, draft.subject, draft.body
        email.sent_at = timezone.now()
        fields += ["recipient", "subject", "body", "sent_at"]
    email.save(update_fields=fields)


def _failed(email_id: int, error, *, claimed_as: str) -> Outcome:
    """A try that delivered nothing: due again after a doubling wait, or failed for good."""
    email = SentEmail.objects.get(pk=email_id)
    gave_up = email.attempts >= settings.EMAIL_MAX_ATTEMPTS
    wait = min(settings.EMAIL_RETRY_SECONDS * 2 ** max(email.attempts - 1, 0), RETRY_MAX_SECONDS)
    SentEmail.objects.filter(pk=email_id, state=claimed_as).update(
        state=EmailState.FAILED if gave_up else EmailState.PENDING,
        due_at=timezone.now() + timedelta(seconds=wait),
        last_error=_describe(error),
    )
    logger.warning(
        "email %s not sent (try %d of %d): %s%s",
        email.key,
        email.attempts,
        settings.EMAIL_MAX_ATTEMPTS,
        _describe(error),
        ", giving up" if gave_up else f", again in {wait:.0f} s",
    )
    return Outcome.FAILED


def _release_lock_if_worker_vanishes() -> None:
    if connection.vendor == "postgresql":
        seconds = (settings.EMAIL_TIMEOUT or 10) * LOCK_TIMEOUT_IN_SMTP_TIMEOUTS
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                [f"{seconds}s"],
            )


def _describe(error) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return Truncator(text).chars(SentEmail._meta.get_field("last_error").max_length)


# --- the emails about solutions ----------------------------------------------------------------


def _compose(kind: str, solution_id: int) -> Draft | None:
    """The email about this solution as things stand; None when there is nobody to tell."""
    solution = _published_solution(solution_id)
    if solution is None:
        return None
    challenge = solution.challenge
    if kind == EmailKind.SOLUTION_SUBMITTED:
        recipient = challenge.author
        if recipient is None or recipient.pk == solution.author_id:
            return None
        subject = f'New answer to "{challenge.title}"'
        template = "hub/emails/solution_submitted.txt"
        context = {
            "solver": solution.author or "Someone",
            "challenge": challenge,
            "excerpt": Truncator(solution.body).chars(EXCERPT_CHARS),
        }
    elif kind == EmailKind.SOLUTION_ACCEPTED:
        recipient = solution.author
        if recipient is None or not solution.is_accepted:
            return None
        subject = f'Your answer to "{challenge.title}" was accepted'
        template = "hub/emails/solution_accepted.txt"
        context = {"challenge": challenge, "points": reputation.ACCEPTED}
    else:
        raise ValueError(f"not an email about a solution: {kind}")
    user = recipient.user
    if not user.is_active or not user.email:
        return None
    body = render_to_string(template, {"recipient": recipient, **context})
    return Draft.of(user.email, subject, body)


def _published_solution(solution_id: int) -> Solution | None:
    """The solution, unless it was deleted or hidden since the email was recorded."""
    return (
        Solution.objects.select_related("author__user", "challenge__author__user")
        .filter(pk=solution_id, status=ContentStatus.PUBLISHED)
        .first()
    )
