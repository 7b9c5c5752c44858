import graphene

from hub import selectors
from hub.models import Learning
from schema.core.connection import ConnectionField
from schema.core.enums import LearningKindEnum, LearningOrderEnum, enum_value
from schema.core.selection import selection_of
from schema.learnings.types import LearningType


class LearningQueries(graphene.ObjectType):
    learnings = ConnectionField(
        LearningType,
        kind=LearningKindEnum(),
        technology=graphene.String(description="Technology slug."),
        search=graphene.String(),
        order_by=LearningOrderEnum(default_value="NEWEST"),
    )
    learning = graphene.Field(LearningType, slug=graphene.String(required=True))

    @staticmethod
    def resolve_learnings(root, info, kind=None, technology=None, search=None, order_by=None, **_):
        return selectors.learning_list(
            info.context.user,
            kind=enum_value(kind),
            technology=technology,
            search=search,
            order_by=enum_value(order_by),
            selection=selection_of(info),
        )

    @staticmethod
    def resolve_learning(root, info, slug):
        return selectors.get_by_slug(Learning, info.context.user, slug, selection_of(info))
