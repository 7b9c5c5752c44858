import graphene

from hub import selectors
from schema.contributors.types import ContributorType
from schema.core.selection import selection_of


class ContributorQueries(graphene.ObjectType):
    contributor = graphene.Field(
        ContributorType,
        username=graphene.String(required=True, description="Their username, exactly."),
        description="A contributor's public profile by username; null if there is none.",
    )

    @staticmethod
    def resolve_contributor(root, info, username):
        return selectors.get_contributor_by_username(
            username=username, selection=selection_of(info), viewer=info.context.user
        )
