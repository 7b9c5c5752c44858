import graphene

from hub import selectors
from hub.models import Technology
from schema.core.connection import ConnectionField
from schema.core.enums import TechnologyCategoryEnum, TechnologyOrderEnum, enum_value
from schema.core.selection import selection_of
from schema.technologies.types import TechnologyType


class TechnologyQueries(graphene.ObjectType):
    technologies = ConnectionField(
        TechnologyType,
        category=TechnologyCategoryEnum(),
        search=graphene.String(),
        order_by=TechnologyOrderEnum(default_value="NAME"),
        description="Technologies of the program.",
    )
    technology = graphene.Field(TechnologyType, slug=graphene.String(required=True))

    @staticmethod
    def resolve_technologies(root, info, category=None, search=None, order_by=None, **_):
        return selectors.technology_list(
            info.context.user,
            category=enum_value(category),
            search=search,
            order_by=enum_value(order_by),
            selection=selection_of(info),
        )

    @staticmethod
    def resolve_technology(root, info, slug):
        return selectors.get_by_slug(Technology, info.context.user, slug, selection_of(info))
