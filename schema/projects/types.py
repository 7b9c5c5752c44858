import graphene

from hub.models import Project
from schema.core.connection import ConnectionField
from schema.core.types import HubObjectType, related_resolver


class ProjectType(HubObjectType):
    highlights = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="What stands out about it, one line each, plain text; may be empty.",
    )
    description_html = graphene.String(
        required=True, description="`description`, rendered and sanitized."
    )
    technologies = ConnectionField(
        "schema.technologies.types.TechnologyType", description="What it was built with, by name."
    )
    challenges = ConnectionField(
        "schema.challenges.types.ChallengeType",
        description="Challenges that arose in it, that the viewer may see, newest first.",
    )

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

    field_descriptions = {
        "title": "Its title, unique, at most 200 characters.",
        "summary": "One or two sentences, at most 300 characters; may be empty.",
        "description": "The project in full, Markdown (see `descriptionHtml`); may be empty.",
        "repository_url": "Where its code is (a URL); empty if not public.",
    }

    resolve_technologies = related_resolver("technologies")
    resolve_challenges = related_resolver("challenges")
