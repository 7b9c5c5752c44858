import graphene

from hub.models import Learning
from hub.services import learnings
from schema.core.enums import LearningKindEnum
from schema.core.mutations import HubMutation, payload, service_arguments
from schema.learnings.types import LearningType


class SubmitLearningInput(graphene.InputObjectType):
    """A new learning."""

    title = graphene.String(description="Required, at most 200 characters.")
    kind = LearningKindEnum(description="Required.")
    summary = graphene.String(description="At most 300 characters.")
    body = graphene.String(description="Required, Markdown.")
    technologies = graphene.List(
        graphene.NonNull(graphene.String),
        description="Slugs of the technologies it is about; an unknown slug is NOT_FOUND.",
    )


class SubmitLearning(HubMutation):
    """Share a learning; it waits in PENDING until a moderator publishes it."""

    class Arguments:
        input = SubmitLearningInput(required=True)

    learning = graphene.Field(LearningType)

    @classmethod
    def perform(cls, info, viewer, input):
        learning = learnings.submit_learning(viewer=viewer, **service_arguments(input))
        return payload(cls, learning=learning)


class UpdateLearningInput(graphene.InputObjectType):
    """An edit of a learning: a field left out or null stays as it is."""

    id = graphene.ID(required=True, description="The Learning's global id.")
    title = graphene.String(description="New title, at most 200 characters.")
    summary = graphene.String(description="New summary, at most 300 characters.")
    body = graphene.String(description="New text, Markdown.")
    technologies = graphene.List(
        graphene.NonNull(graphene.String),
        description="Slugs of the technologies it is about; replaces the current ones.",
    )


class UpdateLearning(HubMutation):
    """Edit a learning (author or moderator); the old text is kept as a revision. An author's
    edit of a PUBLISHED learning sends it back to PENDING until a moderator publishes it."""

    class Arguments:
        input = UpdateLearningInput(required=True)

    learning = graphene.Field(LearningType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, id=("learning_id", Learning))
        return payload(cls, learning=learnings.update_learning(viewer=viewer, **arguments))


class LearningMutations(graphene.ObjectType):
    submit_learning = SubmitLearning.Field()
    update_learning = UpdateLearning.Field()
