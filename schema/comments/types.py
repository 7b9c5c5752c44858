import graphene

from hub import selectors
from hub.models import Comment
from schema.core.connection import ConnectionField
from schema.core.enums import PUBLIC_AT_ONCE, status_field
from schema.core.selection import selection_of
from schema.core.types import HubObjectType, related_object_resolver, related_resolver


class CommentType(HubObjectType):
    status = status_field(PUBLIC_AT_ONCE)
    body_html = graphene.String(required=True, description="`body`, rendered and sanitized.")
    author = graphene.Field(
        "schema.contributors.types.ContributorType",
        description="Who wrote it; null once their account is deleted.",
    )
    parent = graphene.Field(
        lambda: CommentType,
        description="The comment this replies to; null for a top-level comment (or one the "
        "viewer may not see).",
    )
    replies = ConnectionField(
        lambda: CommentType, description="Direct replies the viewer may see, oldest first."
    )

    class Meta:
        model = Comment
        name = "Comment"
        description = "A comment on a challenge or solution; replies nest to any depth."
        fields = ("id", "body", "created_at", "updated_at")

    field_descriptions = {
        "body": "The comment, Markdown, at most 5,000 characters (see `bodyHtml`)."
    }

    resolve_parent = staticmethod(related_object_resolver("parent"))
    resolve_replies = staticmethod(related_resolver("replies"))


def resolve_comment_thread(root, info, **kwargs):
    return selectors.list_thread_comments(
        target=root, viewer=info.context.user, selection=selection_of(info)
    )


# The compiled read path (schema.compiled) plans it: the thread of a kind's relation.
resolve_comment_thread.related_field = "comments"
