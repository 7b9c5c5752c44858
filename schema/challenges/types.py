import graphene
from django.db.models import Q

from hub import selectors
from hub.kinds import View
from hub.models import Challenge, Solution
from schema.comments.types import resolve_comment_thread
from schema.core.connection import ConnectionField
from schema.core.enums import PUBLIC_AT_ONCE, VoteValueEnum, status_field
from schema.core.selection import selection_of
from schema.core.types import (
    HubObjectType,
    reads_first_of,
    related_object_resolver,
    related_resolver,
)

VOTE_NAMES = {1: "UP", -1: "DOWN"}
# The accepted one among a challenge's solutions (at most one, by a database constraint).
ACCEPTED = View("solutions", where=Q(is_accepted=True), name="accepted_solutions")


class ChallengeType(HubObjectType):
    status = status_field(PUBLIC_AT_ONCE)
    description_html = graphene.String(
        required=True, description="`description`, rendered and sanitized."
    )
    project = graphene.Field(
        "schema.projects.types.ProjectType",
        description="The project it arose in; null if none.",
    )
    author = graphene.Field(
        "schema.contributors.types.ContributorType",
        description="Who submitted it; null once their account is deleted.",
    )
    technologies = ConnectionField(
        "schema.technologies.types.TechnologyType",
        description="The technologies it is about, by name.",
    )
    solutions = ConnectionField(
        "schema.challenges.types.SolutionType",
        description="Solutions the viewer may see: the accepted one first, then by score "
        "(highest first), then oldest first.",
    )
    accepted_solution = graphene.Field(
        "schema.challenges.types.SolutionType",
        description="The solution its author (or a moderator) accepted as the answer; null if "
        "none is, or the viewer may not see it.",
    )
    solution_count = graphene.Int(required=True, description="How many PUBLISHED solutions it has.")
    comments = ConnectionField(
        "schema.comments.types.CommentType", description="Top-level comments, oldest first."
    )
    revisions = ConnectionField(
        "schema.moderation.types.RevisionType", description="Earlier texts, newest first."
    )

    class Meta:
        model = Challenge
        name = "Challenge"
        description = (
            "A problem met in the program, with its solutions and discussion. Anyone sees "
            "PUBLISHED challenges; their authors and moderators see them in any state."
        )
        fields = (
            "id",
            "title",
            "slug",
            "description",
            "created_at",
            "updated_at",
            "published_at",
        )

    model_hints = {"acceptedSolution": ACCEPTED, "solutionCount": "published_solution_count"}
    field_descriptions = {
        "title": "What the problem is, in at most 200 characters.",
        "description": "The problem in full, Markdown (see `descriptionHtml`).",
    }

    resolve_technologies = related_resolver("technologies")
    resolve_solutions = related_resolver("solutions")
    resolve_revisions = related_resolver("revisions")
    resolve_comments = staticmethod(resolve_comment_thread)

    @staticmethod
    def resolve_accepted_solution(root, info):
        rows = selectors.related(root, ACCEPTED, info.context.user, selection_of(info))
        return next(iter(rows), None)

    @staticmethod
    def resolve_solution_count(root, info):
        return selectors.count_published_solutions(challenge=root)


class SolutionType(HubObjectType):
    status = status_field(PUBLIC_AT_ONCE)
    body_html = graphene.String(required=True, description="`body`, rendered and sanitized.")
    challenge = graphene.Field(
        ChallengeType, required=True, description="The challenge it answers."
    )
    author = graphene.Field(
        "schema.contributors.types.ContributorType",
        description="Who wrote it; null once their account is deleted.",
    )
    viewer_vote = graphene.Field(
        VoteValueEnum,
        description="The signed-in viewer's vote: UP, DOWN, or null (no vote, or anonymous).",
    )
    comments = ConnectionField(
        "schema.comments.types.CommentType", description="Top-level comments, oldest first."
    )
    revisions = ConnectionField(
        "schema.moderation.types.RevisionType", description="Earlier texts, newest first."
    )

    class Meta:
        model = Solution
        name = "Solution"
        description = (
            "An answer to a challenge. Anyone sees PUBLISHED solutions of a visible challenge; "
            "their authors and moderators see them in any state."
        )
        fields = (
            "id",
            "body",
            "score",
            "is_accepted",
            "accepted_at",
            "created_at",
            "updated_at",
            "published_at",
        )

    model_hints = {"viewerVote": "votes"}
    field_descriptions = {
        "body": "The answer, Markdown (see `bodyHtml`).",
        "score": "Upvotes minus downvotes.",
        "is_accepted": "Whether the challenge's author (or a moderator) accepted it as the answer.",
        "accepted_at": "When it was accepted (ISO-8601, UTC); null if it is not.",
    }

    resolve_revisions = related_resolver("revisions")
    resolve_comments = staticmethod(resolve_comment_thread)

    resolve_challenge = staticmethod(related_object_resolver("challenge"))

    @staticmethod
    @reads_first_of("votes", "value", VOTE_NAMES.get)  # the viewer's only visible vote
    def resolve_viewer_vote(root, info):
        value = selectors.get_viewer_vote(solution=root, viewer=info.context.user)
        return VOTE_NAMES.get(value)
