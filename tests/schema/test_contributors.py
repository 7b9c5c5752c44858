"""`contributor`: a member's public profile and what they contributed."""

from hub.models import ContentStatus, Track
from tests.factories import ChallengeFactory, ContributorFactory, LearningFactory, SolutionFactory
from tests.schema.helpers import client_for, day, pluck

CONTRIBUTOR = """
query Contributor($username: String!) {
  contributor(username: $username) {
    id
    username
    displayName
    track
    bio
    discordHandle
    joinedAt
    reputation
    challenges { totalCount edges { node { title status } } }
    solutions { totalCount edges { node { body challenge { title } } } }
    learnings { totalCount edges { node { title status } } }
  }
}
"""


def test_contributor_profile(gql):
    ContributorFactory(
        user__username="margaret",
        display_name="Margaret H.",
        track=Track.FRONTEND,
        bio="Ships to the moon.",
        discord_handle="mh#1969",
        joined_at=day(10),
        reputation=42,
    )

    found = gql.query(CONTRIBUTOR, {"username": "margaret"})["contributor"]

    assert found["username"] == "margaret"
    assert found["displayName"] == "Margaret H."
    assert found["track"] == "FRONTEND"
    assert found["bio"] == "Ships to the moon."
    assert found["discordHandle"] == "mh#1969"
    assert found["joinedAt"] == "2024-01-11T00:00:00+00:00"
    assert found["reputation"] == 42


def test_an_unknown_username_is_null(gql):
    assert gql.query(CONTRIBUTOR, {"username": "nobody"}) == {"contributor": None}


def test_contributor_lists_their_challenges_solutions_and_learnings(gql):
    margaret = ContributorFactory(user__username="margaret")
    ChallengeFactory(title="First challenge", author=margaret, created_at=day(1))
    ChallengeFactory(title="Second challenge", author=margaret, created_at=day(2))
    SolutionFactory(body="My answer", author=margaret, challenge=ChallengeFactory(title="Theirs"))
    LearningFactory(title="My learning", author=margaret)
    LearningFactory(title="Someone else's learning")

    found = gql.query(CONTRIBUTOR, {"username": "margaret"})["contributor"]

    assert pluck(found["challenges"]) == ["Second challenge", "First challenge"]
    assert found["challenges"]["totalCount"] == 2
    assert pluck(found["solutions"], "body") == ["My answer"]
    assert pluck(found["solutions"], "challenge") == [{"title": "Theirs"}]
    assert pluck(found["learnings"]) == ["My learning"]


def test_anonymous_viewers_see_only_published_contributions(gql):
    margaret = ContributorFactory(user__username="margaret")
    ChallengeFactory(title="Public challenge", author=margaret)
    ChallengeFactory(title="Pending challenge", author=margaret, status=ContentStatus.PENDING)
    LearningFactory(title="Public learning", author=margaret)
    LearningFactory(title="Rejected learning", author=margaret, status=ContentStatus.REJECTED)
    SolutionFactory(body="Public answer", author=margaret)
    SolutionFactory(body="Hidden answer", author=margaret, status=ContentStatus.HIDDEN)
    SolutionFactory(
        body="Answer to a hidden challenge",
        author=margaret,
        challenge=ChallengeFactory(status=ContentStatus.HIDDEN),
    )

    found = gql.query(CONTRIBUTOR, {"username": "margaret"})["contributor"]

    assert pluck(found["challenges"]) == ["Public challenge"]
    assert pluck(found["learnings"]) == ["Public learning"]
    assert pluck(found["solutions"], "body") == ["Public answer"]


def test_contributors_see_their_own_pending_contributions_on_their_profile(db):
    margaret = ContributorFactory(user__username="margaret")
    ChallengeFactory(title="Public challenge", author=margaret, created_at=day(1))
    ChallengeFactory(
        title="Pending challenge", author=margaret, status=ContentStatus.PENDING, created_at=day(2)
    )
    LearningFactory(title="Pending learning", author=margaret, status=ContentStatus.PENDING)

    found = client_for(margaret).query(CONTRIBUTOR, {"username": "margaret"})["contributor"]

    assert pluck(found["challenges"]) == ["Pending challenge", "Public challenge"]
    assert pluck(found["learnings"]) == ["Pending learning"]


def test_moderators_see_all_contributions_on_a_profile(moderator):
    margaret = ContributorFactory(user__username="margaret")
    ChallengeFactory(title="Hidden challenge", author=margaret, status=ContentStatus.HIDDEN)

    found = client_for(moderator).query(CONTRIBUTOR, {"username": "margaret"})["contributor"]

    assert pluck(found["challenges"], "status") == ["HIDDEN"]
