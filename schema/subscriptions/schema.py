"""Live events: each root field follows one topic of hub events (hub.events).

A subscription first finds what it follows as the viewer would by query (an unknown or
invisible challenge is NOT_FOUND); then every event is the id of what changed, re-read
through the hub selectors as the viewer: what the viewer may not see is not pushed.
"""

import graphene
from channels.db import database_sync_to_async
from django.apps import apps

from hub import selectors
from hub.errors import ApplicationError, ErrorCode
from hub.events import EventKind, topic
from hub.models import Challenge, Contributor, Solution
from hub.permissions import require_contributor
from schema.challenges.types import SolutionType
from schema.comments.types import CommentType
from schema.core.ids import decode_id
from schema.learnings.types import LearningType
from schema.moderation.types import ModerationDecisionType


def _find(viewer, model, pk, field: str):
    found = selectors.get_content(viewer=viewer, model=model, pk=pk)
    if found is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, f"No {model.__name__} with this id.", field)
    return found


def _read_content(viewer, event):
    """The event's object as `viewer` would find it by query; None if it may not see it."""
    model = apps.get_model(event["model"])
    return selectors.get_content(viewer=viewer, model=model, pk=event["pk"])


def _read_decision(viewer, event):
    return selectors.get_own_moderation_decision(viewer=viewer, decision_id=event["pk"])


async def _follow_object(info, kind: EventKind, global_id, field: str, allowed: dict):
    """The visible objects of `kind`'s events on what `global_id` names, as they happen."""
    model, pk = decode_id(global_id, field, allowed)
    await database_sync_to_async(_find)(info.context.user, model, pk, field)
    return await _follow(info, topic(kind, model, pk), _read_content)


async def _follow(info, followed: str, read):
    viewer = info.context.user
    return _visible(await info.context.events(followed), viewer, read)


def _solution_on_challenge(description: str) -> graphene.Field:
    """A field following a challenge's solutions (its subscriber: `_on_challenge`)."""
    return graphene.Field(
        SolutionType,
        required=True,
        challenge_id=graphene.ID(required=True, description="The challenge's global id."),
        description=description,
    )


def _on_challenge(kind: EventKind):
    """The subscriber of a `challengeId` field following `kind`'s events on that challenge."""

    async def subscribe(root, info, challenge_id):
        allowed = {"Challenge": Challenge}
        return await _follow_object(info, kind, challenge_id, "challenge_id", allowed)

    return staticmethod(subscribe)


# One event re-read once per viewer: sockets of one viewer on one topic share the read.
_reads: dict = {}
READS_KEPT = 1_000


async def _visible(events, viewer, read):
    who = viewer.pk if viewer.is_authenticated else None
    async for event in events:
        key = (event.get("id"), who)
        if key in _reads:
            found = _reads[key]
        else:
            found = await database_sync_to_async(read)(viewer, event)
            if found is not None:
                found.hub_event_id = event.get("id")  # lets the transport share the answer
            if event.get("id"):
                _reads[key] = found
                while len(_reads) > READS_KEPT:
                    _reads.pop(next(iter(_reads)))
        if found is not None:
            yield found


class SubscriptionRoot(graphene.ObjectType):
    """Live events over WebSocket (graphql-transport-ws, on /graphql/), with the token in
    `connection_init`'s payload as `{"authorization": "JWT <token>"}`. Each event is what a
    query would show the viewer; what the viewer may not see is never pushed."""

    solution_added = _solution_on_challenge("Each new published solution on the challenge.")
    comment_added = graphene.Field(
        CommentType,
        required=True,
        target_id=graphene.ID(
            required=True, description="The Challenge's or Solution's global id."
        ),
        description="Each new comment or reply on the challenge or solution (not on its "
        "solutions).",
    )
    solution_accepted = _solution_on_challenge(
        "The challenge's accepted answer, each time it changes."
    )
    solution_score_changed = _solution_on_challenge(
        "A solution of the challenge, each time a vote changes its score."
    )

    learning_added = graphene.Field(
        LearningType,
        required=True,
        description="Each new learning: a submitted one is PENDING, so it reaches only its "
        "author and moderators; everyone receives it when a moderator publishes it (the author "
        "and moderators then receive it a second time, PUBLISHED).",
    )
    moderation_decided = graphene.Field(
        ModerationDecisionType,
        required=True,
        description="Each moderator's decision (PUBLISH, REJECT, HIDE) on the viewer's own "
        "content; sign-in required.",
    )

    @staticmethod
    async def subscribe_learning_added(root, info):
        return await _follow(info, topic(EventKind.LEARNING_ADDED), _read_content)

    @staticmethod
    async def subscribe_moderation_decided(root, info):
        author = await database_sync_to_async(require_contributor)(info.context.user)
        followed = topic(EventKind.MODERATION_DECIDED, Contributor, author.pk)
        return await _follow(info, followed, _read_decision)

    subscribe_solution_added = _on_challenge(EventKind.SOLUTION_ADDED)
    subscribe_solution_accepted = _on_challenge(EventKind.SOLUTION_ACCEPTED)
    subscribe_solution_score_changed = _on_challenge(EventKind.SOLUTION_SCORE_CHANGED)

    @staticmethod
    async def subscribe_comment_added(root, info, target_id):
        allowed = {"Challenge": Challenge, "Solution": Solution}
        return await _follow_object(info, EventKind.COMMENT_ADDED, target_id, "target_id", allowed)
