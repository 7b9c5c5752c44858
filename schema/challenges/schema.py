import graphene

from hub import selectors
from hub.models import Challenge
from schema.challenges.types import ChallengeType
from schema.core.connection import ConnectionField
from schema.core.enums import ChallengeOrderEnum, enum_value
from schema.core.selection import selection_of


class ChallengeQueries(graphene.ObjectType):
    challenges = ConnectionField(
        ChallengeType,
        project=graphene.String(description="Project slug."),
        technology=graphene.String(description="Technology slug."),
        author=graphene.String(description="Author's username."),
        has_accepted_solution=graphene.Boolean(),
        search=graphene.String(),
        order_by=ChallengeOrderEnum(default_value="NEWEST"),
    )
    challenge = graphene.Field(ChallengeType, slug=graphene.String(required=True))

    @staticmethod
    def resolve_challenges(
        root,
        info,
        project=None,
        technology=None,
        author=None,
        has_accepted_solution=None,
        search=None,
        order_by=None,
        **_,
    ):
        return selectors.challenge_list(
            info.context.user,
            project=project,
            technology=technology,
            author=author,
            has_accepted_solution=has_accepted_solution,
            search=search,
            order_by=enum_value(order_by),
            selection=selection_of(info),
        )

    @staticmethod
    def resolve_challenge(root, info, slug):
        return selectors.get_by_slug(Challenge, info.context.user, slug, selection_of(info))
