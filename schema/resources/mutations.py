import graphene

from hub.models import Resource
from hub.services import resources
from schema.core.mutations import HubMutation, payload, service_arguments
from schema.resources.types import ResourceKindEnum, ResourceType


class SubmitResourceInput(graphene.InputObjectType):
    """A new resource."""

    title = graphene.String(description="Required, at most 200 characters.")
    url = graphene.String(description="Required, http or https; one resource per page.")
    kind = ResourceKindEnum(description="Required.")
    summary = graphene.String(description="Required, Markdown.")
    technologies = graphene.List(
        graphene.NonNull(graphene.String),
        description="Slugs of the technologies it is about; an unknown slug is NOT_FOUND.",
    )


class SubmitResource(HubMutation):
    """Share a link to learn from; it waits in PENDING until a moderator publishes it.
    A page that is a resource already gets DUPLICATE, naming it."""

    class Arguments:
        input = SubmitResourceInput(required=True)

    resource = graphene.Field(ResourceType)

    @classmethod
    def perform(cls, info, viewer, input):
        resource = resources.submit_resource(viewer=viewer, **service_arguments(input))
        return payload(cls, resource=resource)


class UpdateResourceInput(graphene.InputObjectType):
    """An edit of a resource: a field left out or null stays as it is."""

    id = graphene.ID(required=True, description="The Resource's global id.")
    title = graphene.String(description="New title, at most 200 characters.")
    url = graphene.String(
        description="New address, http or https; DUPLICATE if another resource has it."
    )
    kind = ResourceKindEnum(description="New kind.")
    summary = graphene.String(description="New summary, Markdown.")
    technologies = graphene.List(
        graphene.NonNull(graphene.String),
        description="Slugs of the technologies it is about; replaces the current ones.",
    )


class UpdateResource(HubMutation):
    """Edit a resource (author or moderator); the old title and summary are kept as a
    revision. An author's edit of a PUBLISHED resource sends it back to PENDING."""

    class Arguments:
        input = UpdateResourceInput(required=True)

    resource = graphene.Field(ResourceType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, id=("resource_id", Resource))
        return payload(cls, resource=resources.update_resource(viewer=viewer, **arguments))


class ResourceMutations(graphene.ObjectType):
    submit_resource = SubmitResource.Field()
    update_resource = UpdateResource.Field()
