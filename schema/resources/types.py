import graphene

from hub.models import Resource, ResourceKind
from schema.core.connection import ConnectionField
from schema.core.enums import REVIEWED, enum_field, make_enum, status_field
from schema.core.types import HubObjectType, related_resolver

ResourceKindEnum = make_enum("ResourceKind", ResourceKind.choices, "What kind of resource it is.")


class ResourceType(HubObjectType):
    kind = enum_field(ResourceKindEnum, "kind", required=True, description="What kind it is.")
    status = status_field(REVIEWED)
    url = graphene.String(required=True, description="Where the resource is, as submitted.")
    summary_html = graphene.String(required=True, description="`summary`, rendered and sanitized.")
    technologies = ConnectionField(
        "schema.technologies.types.TechnologyType",
        description="The technologies it is about, by name.",
    )
    author = graphene.Field(
        "schema.contributors.types.ContributorType",
        description="Who shared it; null for seeded resources or once the account is deleted.",
    )
    revisions = ConnectionField(
        "schema.moderation.types.RevisionType", description="Earlier texts, newest first."
    )

    class Meta:
        model = Resource
        name = "Resource"
        description = "A curated link to learn from: documentation, a tutorial, a book..."
        fields = ("id", "title", "slug", "summary", "created_at", "updated_at", "published_at")

    field_descriptions = {"title": "Its title, at most 200 characters."}

    resolve_technologies = related_resolver("technologies")
    resolve_revisions = related_resolver("revisions")
