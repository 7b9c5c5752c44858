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
    node = Node.Field()


class Mutation(
    AccountMutations,
    ChallengeMutations,
    CommentMutations,
    LearningMutations,
    ResourceMutations,
    ModerationMutations,
    graphene.ObjectType,
):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
