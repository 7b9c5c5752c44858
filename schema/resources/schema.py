import graphene

from hub.models import Resource
from schema.core.lists import list_field, slug_field
from schema.resources.types import ResourceKindEnum, ResourceType


class ResourceQueries(graphene.ObjectType):
    resources = list_field(
        ResourceType,
        Resource,
        kind=ResourceKindEnum(),
        technology=graphene.String(description="Technology slug."),
        search=graphene.String(),
        description="Published curated links (and one's own pending ones).",
    )
    resource = slug_field(ResourceType, Resource)
