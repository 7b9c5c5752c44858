import graphene

from hub.models import Learning
from schema.core.connection import ConnectionField
from schema.core.enums import ContentStatusEnum, LearningKindEnum, enum_field
from schema.core.types import HubObjectType, related_resolver


class LearningType(HubObjectType):
    kind = enum_field(LearningKindEnum, "kind", required=True)
    status = enum_field(ContentStatusEnum, "status", required=True)
    body_html = graphene.String(required=True, description="`body`, rendered and sanitized.")
    technologies = ConnectionField("schema.technologies.types.TechnologyType")
    author = graphene.Field("schema.contributors.types.ContributorType")
    revisions = ConnectionField(
        "schema.moderation.types.RevisionType", description="Earlier texts, newest first."
    )

    class Meta:
        model = Learning
        name = "Learning"
        description = "A concept, best practice, takeaway or collaboration note."
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

    resolve_technologies = related_resolver("technologies")
    resolve_revisions = related_resolver("revisions")
