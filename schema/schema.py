"""The whole GraphQL schema: each domain contributes its root fields."""

import graphene

from schema.challenges.schema import ChallengeQueries
from schema.contributors.schema import ContributorQueries
from schema.learnings.schema import LearningQueries
from schema.projects.schema import ProjectQueries
from schema.search.schema import SearchQueries
from schema.technologies.schema import TechnologyQueries


class Query(
    TechnologyQueries,
    LearningQueries,
    ProjectQueries,
    ChallengeQueries,
    ContributorQueries,
    SearchQueries,
    graphene.ObjectType,
):
    node = graphene.relay.Node.Field()


schema = graphene.Schema(query=Query)
