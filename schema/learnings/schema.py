import graphene

from hub.models import Learning
from schema.core.enums import LearningKindEnum
from schema.core.lists import list_field, slug_field
from schema.learnings.types import LearningType


class LearningQueries(graphene.ObjectType):
    learnings = list_field(
        LearningType,
        Learning,
        kind=LearningKindEnum(),
        technology=graphene.String(description="Technology slug."),
        search=graphene.String(),
        description="Learnings the viewer may see: PUBLISHED ones, one's own pending ones, "
        "and all of them for moderators.",
    )
    learning = slug_field(LearningType, Learning)
