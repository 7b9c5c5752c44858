import graphene

from hub.models import Learning
from schema.core.connection import ConnectionField
from schema.core.enums import REVIEWED, LearningKindEnum, enum_field, status_field
from schema.core.types import HubObjectType, related_resolver


class LearningType(HubObjectType):
    kind = enum_field(LearningKindEnum, "kind", required=True, description="What kind it is.")
    status = status_field(REVIEWED)
    body_html = graphene.String(required=True, description="`body`, rendered and sanitized.")
    technologies = ConnectionField(
        "schema.technologies.types.TechnologyType",
        description="The technologies it is about, by name.",
    )
    author = graphene.Field(
        "schema.contributors.types.ContributorType",
        description="Who shared it; null for seeded learnings or once the account is deleted.",
    )
    revisions = ConnectionField(
        "schema.moderation.types.RevisionType", description="Earlier texts, newest first."
    )

    class Meta:
        model = Learning
        name = "Learning"
        description = (
            "A concept, best practice, takeaway or collaboration note. Anyone sees PUBLISHED "
            "learnings; a pending one only its author and moderators."
        )
        fields = (
            "id",
            "title",
            "slug",
            "summary",
            "body",
            "created_at",
            "updated_at",
            "published_at",
        )

    field_descriptions = {
        "title": "Its title, at most 200 characters.",
        "summary": "One or two sentences, at most 300 characters; may be empty.",
        "body": "The learning in full, Markdown (see `bodyHtml`).",
    }

    resolve_technologies = related_resolver("technologies")
    resolve_revisions = related_resolver("revisions")
