import graphene

from hub.models import Technology
from schema.core.enums import TechnologyCategoryEnum
from schema.core.lists import list_field, slug_field
from schema.technologies.types import TechnologyType


class TechnologyQueries(graphene.ObjectType):
    technologies = list_field(
        TechnologyType,
        Technology,
        category=TechnologyCategoryEnum(),
        search=graphene.String(),
        description="Technologies of the program (all are public).",
    )
    technology = slug_field(TechnologyType, Technology)
