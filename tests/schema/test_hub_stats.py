"""`hubStats`: how much the hub holds, counting published content only."""

from hub.models import ContentStatus
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)
from tests.schema.helpers import client_for

HUB_STATS = "{ hubStats { technologies learnings projects challenges solutions contributors } }"


def test_an_empty_hub(gql):
    assert gql.query(HUB_STATS)["hubStats"] == {
        "technologies": 0,
        "learnings": 0,
        "projects": 0,
        "challenges": 0,
        "solutions": 0,
        "contributors": 0,
    }


def test_hub_stats_count_published_content(gql):
    author = ContributorFactory()
    TechnologyFactory.create_batch(3)
    ProjectFactory.create_batch(2)
    LearningFactory.create_batch(2, author=author)
    LearningFactory(author=author, status=ContentStatus.PENDING)
    challenge = ChallengeFactory(author=author)
    ChallengeFactory(author=author, status=ContentStatus.REJECTED)
    SolutionFactory.create_batch(2, challenge=challenge, author=author)
    SolutionFactory(challenge=challenge, author=author, status=ContentStatus.HIDDEN)
    hidden_challenge = ChallengeFactory(author=author, status=ContentStatus.HIDDEN)
    SolutionFactory(challenge=hidden_challenge, author=author)

    assert gql.query(HUB_STATS)["hubStats"] == {
        "technologies": 3,
        "learnings": 2,
        "projects": 2,
        "challenges": 1,
        "solutions": 2,
        "contributors": 1,
    }


def test_hub_stats_are_the_same_for_moderators(moderator):
    LearningFactory(status=ContentStatus.PENDING)
    LearningFactory()

    assert client_for(moderator).query(HUB_STATS)["hubStats"]["learnings"] == 1
