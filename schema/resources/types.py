import graphene

from hub.models import Resource, ResourceKind
from schema.core.connection import ConnectionField
from schema.core.enums import ContentStatusEnum, enum_field, make_enum
from schema.core.types import HubObjectType, related_resolver

ResourceKindEnum = make_enum("ResourceKind", ResourceKind.values, "Kind of resource.")


class ResourceType(HubObjectType):
    kind = enum_field(ResourceKindEnum, "kind", required=True)
    status = enum_field(ContentStatusEnum, "status", required=True)
    url = graphene.String(required=True, description="Where the resource is, as submitted.")
    summary_html = graphene.String(required=True, description="`summary`, rendered and sanitized.")
    technologies = ConnectionField("schema.technologies.types.TechnologyType")
    author = graphene.Field("schema.contributors.types.ContributorType")
    revisions = ConnectionField(
        "schema.moderation.types.RevisionType", description="Earlier texts, newest first."
    )

    class Meta:
        model = Resource
        name = "Resource"
        description = "A curated link to learn from: documentation, a tutorial, a book..."
        fields = ("id", "title", "slug", "summary", "created_at", "updated_at", "published_at")

    resolve_technologies = related_resolver("technologies")
    resolve_revisions = related_resolver("revisions")
