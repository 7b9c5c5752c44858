import graphene

from hub.models import Challenge, Comment, Solution
from hub.services import comments
from schema.comments.types import CommentType
from schema.core.ids import decode_id
from schema.core.mutations import HubMutation, payload, service_arguments


class AddCommentInput(graphene.InputObjectType):
    """A new comment or reply."""

    target_id = graphene.ID(required=True, description="The Challenge or Solution.")
    parent_id = graphene.ID(description="The comment this replies to, in the same thread.")
    body = graphene.String(description="Required, Markdown, at most 5,000 characters.")


class AddComment(HubMutation):
    """Comment on a challenge or solution, or reply to a comment (signed in)."""

    class Arguments:
        input = AddCommentInput(required=True)

    comment = graphene.Field(CommentType)

    @classmethod
    def perform(cls, info, viewer, input):
        model, pk = decode_id(
            input["target_id"], "target_id", {"Challenge": Challenge, "Solution": Solution}
        )
        arguments = service_arguments(input, parent_id=("parent_id", Comment))
        arguments.update(target_model=model, target_id=pk)
        comment = comments.add_comment(viewer=viewer, **arguments)
        return payload(cls, comment=comment)


class CommentMutations(graphene.ObjectType):
    add_comment = AddComment.Field()
