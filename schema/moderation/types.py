import graphene

from hub import selectors
from hub.models import Flag, Revision
from schema.core.enums import (
    ContentStatusEnum,
    FlagReasonEnum,
    ModerationActionEnum,
    enum_field,
)
from schema.core.types import HubObjectType, Node


class RevisionType(HubObjectType):
    """The text of a challenge, solution or learning before one edit."""

    editor = graphene.Field(
        "schema.contributors.types.ContributorType",
        description="Who made the edit that replaced this text; null once the account is deleted.",
    )

    class Meta:
        model = Revision
        name = "Revision"
        fields = ("id", "title", "body", "created_at")

    field_descriptions = {
        "title": "The title before the edit; empty for a solution, which has none.",
        "body": "The text before the edit (a description, body or summary), Markdown.",
        "created_at": "When the edit was made (ISO-8601, UTC).",
    }

    @classmethod
    def get_node(cls, info, id):
        return selectors.get_revision(viewer=info.context.user, revision_id=id)


class FlagType(HubObjectType):
    reason = enum_field(FlagReasonEnum, "reason", required=True, description="Why it was reported.")
    reporter = graphene.Field(
        "schema.contributors.types.ContributorType", description="Who reported it."
    )
    target = graphene.Field(Node, description="The flagged content; null once it is deleted.")
    is_open = graphene.Boolean(
        required=True, description="True until a moderator resolves it (`resolveFlag`)."
    )

    class Meta:
        model = Flag
        name = "Flag"
        description = "A report of content to the moderators; only moderators see flags."
        fields = ("id", "note", "created_at", "resolved_at")

    model_hints = {"isOpen": "resolved_at"}
    field_descriptions = {
        "note": "The reporter's explanation, at most 1,000 characters; may be empty.",
        "created_at": "When it was reported (ISO-8601, UTC).",
        "resolved_at": "When a moderator resolved it (ISO-8601, UTC); null while it is open.",
    }

    @classmethod
    def get_node(cls, info, id):
        return selectors.get_flag(viewer=info.context.user, flag_id=id)

    @staticmethod
    def resolve_is_open(root, info):
        return root.resolved_at is None


class ModerationDecisionType(graphene.ObjectType):
    """A moderator's decision on content, as its author hears of it (`moderationDecided`);
    the moderator is not named."""

    action = enum_field(ModerationActionEnum, "action", required=True, description="What was done.")
    status = enum_field(
        ContentStatusEnum, "to_status", required=True, description="The content's status now."
    )
    previous_status = enum_field(
        ContentStatusEnum, "from_status", required=True, description="Its status before."
    )
    reason = graphene.String(
        required=True, description="The moderator's reason (required for REJECT and HIDE)."
    )
    decided_at = graphene.DateTime(
        required=True, description="When it was decided (ISO-8601, UTC).", source="created_at"
    )
    content = graphene.Field(
        Node, required=True, description="The content decided on.", source="target"
    )

    class Meta:
        name = "ModerationDecision"
