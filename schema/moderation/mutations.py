import graphene

from hub import kinds
from hub.models import Flag, Revision
from hub.services import moderation
from schema.core.enums import FlagReasonEnum, ModerationActionEnum, enum_value
from schema.core.ids import decode_id
from schema.core.mutations import HubMutation, payload, service_arguments
from schema.core.types import Node
from schema.moderation.types import FlagType

MODERATED = kinds.moderated()  # public type name -> model


class ModerateInput(graphene.InputObjectType):
    """A moderation decision."""

    id = graphene.ID(
        required=True, description="A Challenge, Solution, Learning, Resource or Comment."
    )
    action = ModerationActionEnum(required=True, description="What to do with it.")
    reason = graphene.String(description="Required for REJECT and HIDE; kept in the log.")


class Moderate(HubMutation):
    """PUBLISH, REJECT or HIDE content (moderators only); every action is logged."""

    moderators_only = True

    class Arguments:
        input = ModerateInput(required=True)

    node = graphene.Field(Node)

    @classmethod
    def perform(cls, info, viewer, input):
        model, pk = decode_id(input["id"], "id", MODERATED)
        target = moderation.moderate_content(
            viewer=viewer,
            model=model,
            object_id=pk,
            action=enum_value(input["action"]),
            reason=input.get("reason"),
        )
        return payload(cls, node=target)


class FlagContentInput(graphene.InputObjectType):
    """A report of content."""

    id = graphene.ID(
        required=True, description="A Challenge, Solution, Learning, Resource or Comment."
    )
    reason = FlagReasonEnum(required=True, description="Why it should be looked at.")
    note = graphene.String(description="At most 1,000 characters.")


class FlagContent(HubMutation):
    """Report content to the moderators (once per contributor and object)."""

    class Arguments:
        input = FlagContentInput(required=True)

    @classmethod
    def perform(cls, info, viewer, input):
        model, pk = decode_id(input["id"], "id", MODERATED)
        moderation.flag_content(
            viewer=viewer,
            model=model,
            object_id=pk,
            reason=enum_value(input["reason"]),
            note=input.get("note"),
        )
        return payload(cls)


class ResolveFlagInput(graphene.InputObjectType):
    """Closing a flag."""

    id = graphene.ID(required=True, description="The Flag's global id.")
    note = graphene.String(
        description="What was done about it, at most 1,000 characters; kept in the log."
    )


class ResolveFlag(HubMutation):
    """Close a flag (moderators only)."""

    moderators_only = True

    class Arguments:
        input = ResolveFlagInput(required=True)

    flag = graphene.Field(FlagType)

    @classmethod
    def perform(cls, info, viewer, input):
        flag = moderation.resolve_flag(
            viewer=viewer, **service_arguments(input, id=("flag_id", Flag))
        )
        return payload(cls, flag=flag)


class RestoreRevisionInput(graphene.InputObjectType):
    """The revision to restore."""

    id = graphene.ID(required=True, description="The Revision to bring back.")


class RestoreRevision(HubMutation):
    """Put an earlier text back (moderators only); the replaced text becomes a revision."""

    moderators_only = True

    class Arguments:
        input = RestoreRevisionInput(required=True)

    node = graphene.Field(Node)

    @classmethod
    def perform(cls, info, viewer, input):
        target = moderation.restore_revision(
            viewer=viewer, **service_arguments(input, id=("revision_id", Revision))
        )
        return payload(cls, node=target)


class ModerationMutations(graphene.ObjectType):
    moderate = Moderate.Field()
    flag_content = FlagContent.Field()
    resolve_flag = ResolveFlag.Field()
    restore_revision = RestoreRevision.Field()
