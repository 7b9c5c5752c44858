"""The whole GraphQL schema: each domain contributes its root fields."""

import graphene

from schema.accounts.mutations import AccountMutations
from schema.accounts.schema import AccountQueries
from schema.challenges.mutations import ChallengeMutations
from schema.challenges.schema import ChallengeQueries
from schema.comments.mutations import CommentMutations
from schema.contributors.schema import ContributorQueries
from schema.core.types import Node
from schema.hub_document.schema import HubDocumentQueries
from schema.learnings.mutations import LearningMutations
from schema.learnings.schema import LearningQueries
from schema.moderation.mutations import ModerationMutations
from schema.moderation.schema import ModerationQueries
from schema.projects.schema import ProjectQueries
from schema.resources.mutations import ResourceMutations
from schema.resources.schema import ResourceQueries
from schema.search.schema import SearchQueries
from schema.subscriptions.schema import SubscriptionRoot
from schema.technologies.schema import TechnologyQueries


class Query(
    TechnologyQueries,
    LearningQueries,
    ProjectQueries,
    ResourceQueries,
    ChallengeQueries,
    ContributorQueries,
    SearchQueries,
    HubDocumentQueries,
    AccountQueries,
    ModerationQueries,
    graphene.ObjectType,
):
    """Reads. Anonymous viewers see PUBLISHED content; a signed-in contributor also sees
    their own content in any state; moderators see everything. Send the token as
    `Authorization: JWT <token>`."""

    node = Node.Field(
        description="Any object by its global `id`; null if there is none or the viewer may "
        "not see it. An id that cannot be decoded is an error."
    )


class Mutation(
    AccountMutations,
    ChallengeMutations,
    CommentMutations,
    LearningMutations,
    ResourceMutations,
    ModerationMutations,
    graphene.ObjectType,
):
    """Writes. Each takes `input` and returns a payload with `errors: [UserError!]!`: bad
    input is reported there and writes nothing. A missing or bad token is a top-level error
    with `extensions.code` UNAUTHENTICATED; a signed-in viewer without the right, FORBIDDEN."""


class Subscription(SubscriptionRoot):
    __doc__ = SubscriptionRoot.__doc__


schema = graphene.Schema(query=Query, mutation=Mutation, subscription=Subscription)
