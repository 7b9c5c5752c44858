import graphene

from hub.models import Technology
from schema.core.connection import ConnectionField
from schema.core.enums import TechnologyCategoryEnum, enum_field
from schema.core.types import HubObjectType, related_resolver


class TechnologyType(HubObjectType):
    category = enum_field(
        TechnologyCategoryEnum, "category", required=True, description="What kind it is."
    )
    learned_html = graphene.String(required=True, description="`learned`, rendered and sanitized.")
    learnings = ConnectionField(
        "schema.learnings.types.LearningType",
        description="Learnings about it that the viewer may see, newest first.",
    )
    projects = ConnectionField(
        "schema.projects.types.ProjectType", description="Projects built with it, by title."
    )
    challenges = ConnectionField(
        "schema.challenges.types.ChallengeType",
        description="Challenges about it that the viewer may see, newest first.",
    )
    resources = ConnectionField(
        "schema.resources.types.ResourceType",
        description="Curated links about it that the viewer may see, by title.",
    )

    class Meta:
        model = Technology
        name = "Technology"
        description = "A technology learned in the program, with what was learned."
        fields = ("id", "name", "slug", "summary", "learned", "created_at", "updated_at")

    field_descriptions = {
        "name": "Its name, unique, at most 80 characters.",
        "summary": "What it is, in a sentence, at most 300 characters; may be empty.",
    }

    resolve_learnings = related_resolver("learnings")
    resolve_projects = related_resolver("projects")
    resolve_challenges = related_resolver("challenges")
    resolve_resources = related_resolver("resources")
