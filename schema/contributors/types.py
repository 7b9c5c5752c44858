import graphene

from hub.models import Contributor
from schema.core.connection import ConnectionField
from schema.core.enums import TrackEnum, enum_field
from schema.core.types import HubObjectType, related_resolver


class ContributorType(HubObjectType):
    username = graphene.String(
        required=True, description="Unique sign-in name; `contributor(username:)` finds it."
    )
    reputation = graphene.Int(
        required=True,
        description="+10 per upvote, -2 per downvote on one's solutions, +15 per accepted one.",
    )
    track = enum_field(TrackEnum, "track", required=True, description="Their program track.")
    challenges = ConnectionField(
        "schema.challenges.types.ChallengeType",
        description="Challenges they submitted that the viewer may see, newest first.",
    )
    solutions = ConnectionField(
        "schema.challenges.types.SolutionType",
        description="Solutions they wrote that the viewer may see: accepted ones first, then "
        "by score.",
    )
    learnings = ConnectionField(
        "schema.learnings.types.LearningType",
        description="Learnings they shared that the viewer may see, newest first.",
    )

    class Meta:
        model = Contributor
        name = "Contributor"
        description = "A member of the hub: public profile and contributions."
        fields = ("id", "display_name", "bio", "discord_handle", "joined_at", "reputation")

    model_hints = {"username": "user"}
    field_descriptions = {
        "display_name": "The name they show, at most 80 characters; empty if they set none.",
        "bio": "About them, at most 2,000 characters of plain text; may be empty.",
        "discord_handle": "Their Discord name, at most 64 characters; may be empty.",
        "joined_at": "When they registered (ISO-8601, UTC).",
    }

    resolve_challenges = related_resolver("challenges")
    resolve_solutions = related_resolver("solutions")
    resolve_learnings = related_resolver("learnings")
