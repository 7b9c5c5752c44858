"""GraphQL enums, built from the hub's choices so the two never drift."""

import graphene

from hub.models import ContentStatus, LearningKind, TechnologyCategory, Track


def _enum_of(choices, name, description):
    return graphene.Enum(
        name, [(value, value) for value in choices.values], description=description
    )


TechnologyCategoryEnum = _enum_of(TechnologyCategory, "TechnologyCategory", "Kind of technology.")
LearningKindEnum = _enum_of(LearningKind, "LearningKind", "Kind of learning.")
ContentStatusEnum = _enum_of(ContentStatus, "ContentStatus", "Moderation state of content.")
TrackEnum = _enum_of(Track, "Track", "The program track of a contributor.")


def _order_enum(name, values):
    return graphene.Enum(name, [(v, v) for v in values], description="Sort order of the list.")


TechnologyOrderEnum = _order_enum("TechnologyOrder", ["NAME", "NEWEST", "OLDEST", "TITLE"])
LearningOrderEnum = _order_enum("LearningOrder", ["NEWEST", "OLDEST", "TITLE"])
ProjectOrderEnum = _order_enum("ProjectOrder", ["NEWEST", "OLDEST", "TITLE"])
ChallengeOrderEnum = _order_enum("ChallengeOrder", ["NEWEST", "OLDEST", "TITLE", "MOST_SOLUTIONS"])


def enum_value(value):
    """Graphene passes enum inputs as members; the hub speaks plain values."""
    return getattr(value, "value", value)


VoteValueEnum = graphene.Enum(
    "VoteValue",
    [("UP", "UP"), ("DOWN", "DOWN"), ("CLEAR", "CLEAR")],
    description="A vote on a solution; CLEAR takes one's vote back (input only).",
)


def enum_field(enum, source: str, **kwargs) -> graphene.Field:
    """A field showing a model's choice attribute as `enum`.

    Django's TextChoices members are Python enums of another class, which graphene
    would refuse; the plain value is what the GraphQL enum knows.
    """

    def resolve(root, info):
        return enum_value(getattr(root, source))

    return graphene.Field(enum, resolver=resolve, **kwargs)
