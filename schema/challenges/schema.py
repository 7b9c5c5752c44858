import graphene

from hub.models import Challenge
from schema.challenges.types import ChallengeType
from schema.core.lists import list_field, slug_field


class ChallengeQueries(graphene.ObjectType):
    challenges = list_field(
        ChallengeType,
        Challenge,
        project=graphene.String(description="Project slug."),
        technology=graphene.String(description="Technology slug."),
        author=graphene.String(description="Author's username."),
        has_accepted_solution=graphene.Boolean(
            description="True: only challenges with an accepted solution the viewer may see; "
            "false: only those without."
        ),
        search=graphene.String(),
        description="Challenges the viewer may see (anonymous viewers: PUBLISHED ones).",
    )
    challenge = slug_field(ChallengeType, Challenge)
