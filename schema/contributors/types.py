import graphene

from hub.models import Contributor
from schema.core.connection import ConnectionField
from schema.core.enums import TrackEnum, enum_field
from schema.core.types import HubObjectType, related_resolver


class ContributorType(HubObjectType):
    username = graphene.String(required=True)
    reputation = graphene.Int(
        required=True,
        description="+10 per upvote, -2 per downvote on one's solutions, +15 per accepted one.",
    )
    track = enum_field(TrackEnum, "track", required=True)
    challenges = ConnectionField("schema.challenges.types.ChallengeType")
    solutions = ConnectionField("schema.challenges.types.SolutionType")
    learnings = ConnectionField("schema.learnings.types.LearningType")

    class Meta:
        model = Contributor
        name = "Contributor"
        description = "A member of the hub: public profile and contributions."
        fields = ("id", "display_name", "bio", "discord_handle", "joined_at", "reputation")

    model_hints = {"username": "user"}

    resolve_challenges = related_resolver("challenges")
    resolve_solutions = related_resolver("solutions")
    resolve_learnings = related_resolver("learnings")
