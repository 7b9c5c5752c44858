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
    )
    learning = slug_field(LearningType, Learning)
