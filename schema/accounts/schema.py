import graphene

from hub import selectors
from schema.contributors.types import ContributorType
from schema.core.selection import selection_of


class AccountQueries(graphene.ObjectType):
    me = graphene.Field(
        ContributorType, description="The signed-in contributor; null if anonymous."
    )

    @staticmethod
    def resolve_me(root, info):
        return selectors.get_viewer_profile(viewer=info.context.user, selection=selection_of(info))
