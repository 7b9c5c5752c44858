import graphene

from hub import selectors
from hub.models import Project
from schema.core.connection import ConnectionField
from schema.core.enums import ProjectOrderEnum, enum_value
from schema.core.selection import selection_of
from schema.projects.types import ProjectType


class ProjectQueries(graphene.ObjectType):
    projects = ConnectionField(
        ProjectType,
        technology=graphene.String(description="Technology slug."),
        search=graphene.String(),
        order_by=ProjectOrderEnum(default_value="TITLE"),
    )
    project = graphene.Field(ProjectType, slug=graphene.String(required=True))

    @staticmethod
    def resolve_projects(root, info, technology=None, search=None, order_by=None, **_):
        return selectors.project_list(
            info.context.user,
            technology=technology,
            search=search,
            order_by=enum_value(order_by),
            selection=selection_of(info),
        )

    @staticmethod
    def resolve_project(root, info, slug):
        return selectors.get_by_slug(Project, info.context.user, slug, selection_of(info))
