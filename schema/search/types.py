import graphene

from schema.challenges.types import ChallengeType, SolutionType
from schema.learnings.types import LearningType
from schema.projects.types import ProjectType
from schema.resources.types import ResourceType
from schema.technologies.types import TechnologyType


class SearchResult(graphene.Union):
    class Meta:
        types = (
            TechnologyType,
            LearningType,
            ProjectType,
            ChallengeType,
            SolutionType,
            ResourceType,
        )


class HubStats(graphene.ObjectType):
    technologies = graphene.Int(required=True)
    learnings = graphene.Int(required=True)
    projects = graphene.Int(required=True)
    challenges = graphene.Int(required=True)
    solutions = graphene.Int(required=True)
    contributors = graphene.Int(required=True)
