"""GraphQL enums, built from the hub's own values so the two never drift."""

import graphene

from hub.models import (
    ContentStatus,
    FlagReason,
    LearningKind,
    TechnologyCategory,
    Track,
)
from hub.services.moderation import CLIENT_ACTIONS
from hub.services.solutions import VoteValue


def _enum(name: str, values, description: str):
    return graphene.Enum(name, [(str(v), str(v)) for v in values], description=description)


TechnologyCategoryEnum = _enum(
    "TechnologyCategory", TechnologyCategory.values, "Kind of technology."
)
LearningKindEnum = _enum("LearningKind", LearningKind.values, "Kind of learning.")
ContentStatusEnum = _enum("ContentStatus", ContentStatus.values, "Moderation state of content.")
TrackEnum = _enum("Track", Track.values, "The program track of a contributor.")
FlagReasonEnum = _enum("FlagReason", FlagReason.values, "Why content was flagged.")
ModerationActionEnum = _enum(
    "ModerationAction", CLIENT_ACTIONS, "What a moderator does to content."
)
VoteValueEnum = _enum(
    "VoteValue",
    [v.value for v in VoteValue],
    "A vote on a solution; CLEAR takes one's vote back (input only).",
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

    return graphene.Field(enum, resolver=resolve, **kwargs)
