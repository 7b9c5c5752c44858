import graphene

from hub.models import Project
from schema.core.connection import ConnectionField
from schema.core.types import HubObjectType, related_resolver


class ProjectType(HubObjectType):
    highlights = graphene.List(graphene.NonNull(graphene.String), required=True)
    description_html = graphene.String(
        required=True, description="`description`, rendered and sanitized."
    )
    technologies = ConnectionField("schema.technologies.types.TechnologyType")
    challenges = ConnectionField("schema.challenges.types.ChallengeType")

    class Meta:
        model = Project
        name = "Project"
        description = "A project built in the program."
        fields = (
            "id",
            "title",
            "slug",
            "summary",
            "description",
            "repository_url",
            "created_at",
            "updated_at",
        )

    resolve_technologies = related_resolver("technologies")
    resolve_challenges = related_resolver("challenges")
