"""What happened in the hub, told to whoever listens, once the write is committed.

Services call `publish(...)` inside their transaction; the event leaves only through
`transaction.on_commit`, so a rolled-back write announces nothing. An event carries
ids, never content: each listener re-reads the object as its own viewer (subscriptions
re-read through the selectors), so visibility is decided where it is delivered.
The transport (nexus_graphql.events, the channel layer) registers itself as a sender;
hub/ knows nothing of it.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

logger = logging.getLogger("nexus.events")


class EventKind(StrEnum):
    SOLUTION_ADDED = "solution_added"  # on a challenge
    COMMENT_ADDED = "comment_added"  # on a challenge or a solution (comment or reply)
    SOLUTION_ACCEPTED = "solution_accepted"  # a challenge's accepted answer changed
    SOLUTION_SCORE_CHANGED = "solution_score_changed"  # on a challenge's solution
    # A moderator's decision (a ModerationAction) on a contributor's content, to its author.
    MODERATION_DECIDED = "moderation_decided"
    # A learning submitted (PENDING) or published by a moderator, hub-wide.
    LEARNING_ADDED = "learning_added"


@dataclass(frozen=True)
class Event:
    kind: EventKind
    # Whose followers hear it: "challenge.12", "contributor.3", HUB (a channel-layer group
    # name part).
    scope: str
    # What to re-read: the model's label ("hub.solution") and primary key.
    model: str
    pk: int
    # One per publish: what listeners may memoize one event's work by.
    id: str = ""

    @property
    def topic(self) -> str:
        return f"{self.kind}.{self.scope}"


HUB = "hub"  # the scope of hub-wide events


def topic(kind: EventKind, scope_model=None, scope_pk=None) -> str:
    return f"{kind}.{HUB if scope_model is None else scope_of(scope_model, scope_pk)}"


def scope_of(model, pk) -> str:
    return f"{model._meta.model_name}.{int(pk)}"


_senders: list[Callable[[Event], None]] = []


def add_sender(send: Callable[[Event], None]) -> None:
    if send not in _senders:
        _senders.append(send)


def remove_sender(send: Callable[[Event], None]) -> None:
    if send in _senders:
        _senders.remove(send)


def publish(kind: EventKind, *, obj, scope=None) -> None:
    """Announce `obj` to `scope`'s followers (a model instance; None: hub-wide) after the
    current transaction commits."""
    where = HUB if scope is None else scope_of(type(scope), scope.pk)
    event = Event(kind, where, obj._meta.label_lower, obj.pk, uuid.uuid4().hex)
    transaction.on_commit(lambda: _send(event))


def _send(event: Event) -> None:
    # The write is committed: a transport failure is logged, never the caller's error.
    for send in list(_senders):
        try:
            send(event)
        except Exception:
            logger.exception("event %s not sent", event.topic)
