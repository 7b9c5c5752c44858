import graphene

from hub.models import Challenge, Comment, Solution
from hub.services import comments
from schema.comments.types import CommentType
from schema.core.ids import decode_id, decode_pk
from schema.core.mutations import HubMutation, payload


class AddCommentInput(graphene.InputObjectType):
    target_id = graphene.ID(required=True, description="The Challenge or Solution.")
    parent_id = graphene.ID(description="The comment this replies to, in the same thread.")
    body = graphene.String(description="Required, Markdown, at most 5,000 characters.")


class AddComment(HubMutation):
    class Arguments:
        input = AddCommentInput(required=True)

    comment = graphene.Field(CommentType)

    @classmethod
    def perform(cls, info, viewer, input):
        model, pk = decode_id(
            input["target_id"], "target_id", {"Challenge": Challenge, "Solution": Solution}
        )
        parent_id = input.get("parent_id")
        comment = comments.add_comment(
            viewer=viewer,
            target_model=model,
            target_id=pk,
            parent_id=decode_pk(parent_id, "parent_id", "Comment", Comment) if parent_id else None,
            body=input.get("body"),
        )
        return payload(cls, comment=comment)


class CommentMutations(graphene.ObjectType):
    add_comment = AddComment.Field()
