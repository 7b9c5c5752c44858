import graphene

from hub import selectors
from schema.core.connection import ConnectionField
from schema.core.selection import selection_of
from schema.moderation.types import FlagType


class ModerationQueries(graphene.ObjectType):
    flags = ConnectionField(
        FlagType,
        open=graphene.Boolean(default_value=True, description="Only unresolved flags."),
        description="Reports of content, newest first (moderators only).",
    )

    @staticmethod
    def resolve_flags(root, info, open=True, **_):
        return selectors.list_flags(
            viewer=info.context.user, open_only=open, selection=selection_of(info)
        )
