import graphene

from hub import selectors
from hub.models import Flag, Revision
from schema.core.enums import FlagReasonEnum, enum_field
from schema.core.types import HubObjectType, Node


class RevisionType(HubObjectType):
    """The text of a challenge, solution or learning before one edit."""

    editor = graphene.Field("schema.contributors.types.ContributorType")

    class Meta:
        model = Revision
        name = "Revision"
        fields = ("id", "title", "body", "created_at")

    @classmethod
    def get_node(cls, info, id):
        return selectors.get_revision(viewer=info.context.user, revision_id=id)


class FlagType(HubObjectType):
    reason = enum_field(FlagReasonEnum, "reason", required=True)
    reporter = graphene.Field("schema.contributors.types.ContributorType")
    target = graphene.Field(Node, description="The flagged content.")
    is_open = graphene.Boolean(required=True)

    class Meta:
        model = Flag
        name = "Flag"
        description = "A report of content for moderators."
        fields = ("id", "note", "created_at", "resolved_at")

    model_hints = {"isOpen": "resolved_at"}

    @classmethod
    def get_node(cls, info, id):
        return selectors.get_flag(viewer=info.context.user, flag_id=id)

    @staticmethod
    def resolve_is_open(root, info):
        return root.resolved_at is None
