import graphene

from hub import selectors
from hub.models import Comment
from schema.core.connection import ConnectionField
from schema.core.enums import ContentStatusEnum, enum_field
from schema.core.selection import selection_of
from schema.core.types import HubObjectType


class CommentType(HubObjectType):
    status = enum_field(ContentStatusEnum, "status", required=True)
    body_html = graphene.String(required=True, description="`body`, rendered and sanitized.")
    author = graphene.Field("schema.contributors.types.ContributorType")
    parent = graphene.Field(lambda: CommentType, description="The comment this replies to.")
    replies = ConnectionField(lambda: CommentType, description="Replies, oldest first.")

    class Meta:
        model = Comment
        name = "Comment"
        description = "A comment on a challenge or solution; replies nest to any depth."
        fields = ("id", "body", "created_at", "updated_at")

    @staticmethod
    def resolve_parent(root, info):
        return selectors.get_comment_parent(
            comment=root, viewer=info.context.user, selection=selection_of(info)
        )

    @staticmethod
    def resolve_replies(root, info, **kwargs):
        return selectors.list_comment_replies(
            comment=root, viewer=info.context.user, selection=selection_of(info)
        )


def resolve_comment_thread(root, info, **kwargs):
    return selectors.list_thread_comments(
        target=root, viewer=info.context.user, selection=selection_of(info)
    )
