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


def make_enum(name: str, values, description: str):
    return graphene.Enum(name, [(str(v), str(v)) for v in values], description=description)


TechnologyCategoryEnum = make_enum(
    "TechnologyCategory", TechnologyCategory.values, "Kind of technology."
)
LearningKindEnum = make_enum("LearningKind", LearningKind.values, "Kind of learning.")
ContentStatusEnum = make_enum("ContentStatus", ContentStatus.values, "Moderation state of content.")
TrackEnum = make_enum("Track", Track.values, "The program track of a contributor.")
FlagReasonEnum = make_enum("FlagReason", FlagReason.values, "Why content was flagged.")
ModerationActionEnum = make_enum(
    "ModerationAction", CLIENT_ACTIONS, "What a moderator does to content."
)
VoteValueEnum = make_enum(
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
