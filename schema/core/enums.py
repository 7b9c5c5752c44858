"""GraphQL enums, built from the hub's own values so the two never drift."""

import graphene

from hub.models import (
    ContentStatus,
    FlagReason,
    LearningKind,
    ModerationActionKind,
    TechnologyCategory,
    Track,
)
from hub.services.moderation import CLIENT_ACTIONS
from hub.services.solutions import VoteValue


def make_enum(name: str, choices, description: str, values: dict[str, str] | None = None):
    """A GraphQL enum of Django `choices` ((value, label) pairs): each value is described by
    `values[value]`, else by its label, so a new choice is never undescribed."""
    values = values or {}
    labels = {str(value): values.get(str(value), str(label)) for value, label in choices}

    def describe(member) -> str:
        return description if member is None else labels[member.value]

    return graphene.Enum(name, [(value, value) for value in labels], description=describe)


TechnologyCategoryEnum = make_enum(
    "TechnologyCategory", TechnologyCategory.choices, "What kind of technology it is."
)
LearningKindEnum = make_enum(
    "LearningKind",
    LearningKind.choices,
    "What kind of learning it is.",
    {
        "CONCEPT": "A concept: an idea explained.",
        "BEST_PRACTICE": "A best practice: a way of working that proved itself.",
        "TAKEAWAY": "A takeaway: a lesson drawn from experience.",
        "COLLABORATION": "A note on working together with other learners.",
    },
)
ContentStatusEnum = make_enum(
    "ContentStatus",
    ContentStatus.choices,
    "Moderation state of content. Anonymous viewers see PUBLISHED content only; a "
    "contributor also sees their own content in any state; moderators see everything.",
    {
        "PENDING": "Waiting for a moderator's review (new learnings and resources, and an "
        "author's edit of a published one).",
        "PUBLISHED": "Public: visible to everyone.",
        "REJECTED": "Refused by a moderator; visible to its author and moderators only.",
        "HIDDEN": "Taken down by a moderator; visible to its author and moderators only.",
    },
)
TrackEnum = make_enum(
    "Track",
    Track.choices,
    "The program track a contributor follows.",
    {"BACKEND": "The backend engineering track.", "FRONTEND": "The frontend engineering track."},
)
FlagReasonEnum = make_enum(
    "FlagReason",
    FlagReason.choices,
    "Why content was reported to the moderators.",
    {
        "SPAM": "Advertising or other unsolicited content.",
        "OFFENSIVE": "Abusive, hateful or otherwise offensive content.",
        "DUPLICATE": "The same as existing content.",
        "OTHER": "Another reason, explained in the flag's note.",
    },
)
ModerationActionEnum = make_enum(
    "ModerationAction",
    [(action, ModerationActionKind(action).label) for action in CLIENT_ACTIONS],
    "What a moderator does to content; every action is kept in the moderation log.",
    {
        "PUBLISH": "Make it PUBLISHED: visible to everyone.",
        "REJECT": "Make it REJECTED (a reason is required).",
        "HIDE": "Make it HIDDEN, taking it down (a reason is required).",
    },
)
VoteValueEnum = make_enum(
    "VoteValue",
    [(v.value, v.value) for v in VoteValue],
    "A vote on a solution: +1 (UP) or -1 (DOWN) to its score.",
    {
        "UP": "An upvote: +1 to the solution's score, +10 reputation to its author.",
        "DOWN": "A downvote: -1 to the solution's score, -2 reputation to its author.",
        "CLEAR": "Take one's vote back (input only; never returned).",
    },
)


def enum_value(value):
    """Graphene passes enum inputs as members; the hub speaks plain values."""
    return getattr(value, "value", value)


def enum_field(enum, source: str, **kwargs) -> graphene.Field:
    """A field showing a model's choice attribute as `enum`.

    Django's TextChoices members are Python enums of another class, which graphene
    would refuse; the plain value is what the GraphQL enum knows.
    """

    def resolve(root, info):
        return enum_value(getattr(root, source))

    resolve.reads_column = source  # the compiled read path reads the column itself
    return graphene.Field(enum, resolver=resolve, **kwargs)


# A moderated kind's `status`: reviewed kinds wait for a moderator, the others are public
# at once until a moderator hides them.
REVIEWED = (
    "Moderation state: PENDING until a moderator publishes it (again, after an author's edit)."
)
PUBLIC_AT_ONCE = "Moderation state; public at once (PUBLISHED) unless a moderator hides it."


def status_field(description: str) -> graphene.Field:
    """The `status` of moderated content (ContentStatus)."""
    return enum_field(ContentStatusEnum, "status", required=True, description=description)
