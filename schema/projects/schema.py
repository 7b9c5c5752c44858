import graphene

from hub.models import Project
from schema.core.lists import list_field, slug_field
from schema.projects.types import ProjectType


class ProjectQueries(graphene.ObjectType):
    projects = list_field(
        ProjectType,
        Project,
        technology=graphene.String(description="Technology slug."),
        search=graphene.String(),
        description="Projects built in the program (all are public).",
    )
    project = slug_field(ProjectType, Project)
