import graphene

from hub import selectors
from hub.models import Challenge, Solution
from hub.services import challenges, solutions
from schema.challenges.types import ChallengeType, SolutionType
from schema.core.enums import VoteValueEnum
from schema.core.mutations import HubMutation, UserError, payload, service_arguments, user_error
from schema.core.selection import selection_of


class SubmitChallengeInput(graphene.InputObjectType):
    """A new challenge."""

    title = graphene.String(description="Required, at most 200 characters.")
    description = graphene.String(description="Required, Markdown.")
    project = graphene.String(description="Slug of the project it arose in; optional.")
    technologies = graphene.List(
        graphene.NonNull(graphene.String),
        description="Slugs of the technologies it is about; an unknown slug is NOT_FOUND.",
    )


class SubmitChallenge(HubMutation):
    """Submit a challenge (signed in); it is PUBLISHED at once, moderators can hide it."""

    class Arguments:
        input = SubmitChallengeInput(required=True)

    challenge = graphene.Field(ChallengeType)

    @classmethod
    def perform(cls, info, viewer, input):
        challenge = challenges.submit_challenge(viewer=viewer, **service_arguments(input))
        return payload(cls, challenge=challenge)


class UpdateChallengeInput(graphene.InputObjectType):
    """An edit of a challenge: a field left out or null stays as it is."""

    id = graphene.ID(required=True, description="The Challenge's global id.")
    title = graphene.String(description="New title, at most 200 characters.")
    description = graphene.String(description="New description, Markdown.")
    project = graphene.String(description="Slug of the project it arose in.")
    technologies = graphene.List(
        graphene.NonNull(graphene.String),
        description="Slugs of the technologies it is about; replaces the current ones.",
    )


class UpdateChallenge(HubMutation):
    """Edit a challenge (author or moderator); the old text is kept as a revision."""

    class Arguments:
        input = UpdateChallengeInput(required=True)

    challenge = graphene.Field(ChallengeType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, id=("challenge_id", Challenge))
        challenge = challenges.update_challenge(viewer=viewer, **arguments)
        return payload(cls, challenge=challenge)


class DeleteInput(graphene.InputObjectType):
    """What to delete."""

    id = graphene.ID(required=True, description="The global id of the object to delete.")


class DeleteChallenge(HubMutation):
    """Delete a challenge with its solutions and comments: a moderator, or its author while
    nobody else has answered it (else NOT_ALLOWED); reputation it earned is withdrawn."""

    class Arguments:
        input = DeleteInput(required=True)

    deleted_id = graphene.ID(
        description="The id of the deleted challenge; null when `errors` is not empty."
    )

    @classmethod
    def perform(cls, info, viewer, input):
        challenges.delete_challenge(
            viewer=viewer, **service_arguments(input, id=("challenge_id", Challenge))
        )
        return payload(cls, deleted_id=input["id"])


class BulkSubmitChallengesInput(graphene.InputObjectType):
    """Several new challenges at once."""

    challenges = graphene.List(
        graphene.NonNull(SubmitChallengeInput),
        required=True,
        description="The challenges, at most 50; each is checked like `submitChallenge`'s input.",
    )


class BulkSubmitChallenges(HubMutation):
    """Submit up to 50 challenges: valid ones are created, invalid ones reported by index."""

    class Arguments:
        input = BulkSubmitChallengesInput(required=True)

    challenges = graphene.List(
        graphene.NonNull(ChallengeType),
        required=True,
        description="The challenges created, in input order; the invalid ones are missing "
        "and reported in `errors` with their `index`.",
    )
    errors = graphene.List(
        graphene.NonNull(UserError),
        required=True,
        description="Why items were refused, each with the `index` of its item; the valid "
        "items are created all the same. Empty when every item was created.",
    )

    @classmethod
    def perform(cls, info, viewer, input):
        items = [service_arguments(item) for item in input["challenges"]]
        created, errors = challenges.bulk_submit_challenges(viewer=viewer, items=items)
        # Loaded again as a list is, so the payload's nested fields cost no N+1.
        loaded = selectors.list_content_in_order(
            model=Challenge,
            viewer=viewer,
            pks=[c.pk for c in created],
            selection=selection_of(info).get("challenges", {}),
        )
        return cls(challenges=loaded, errors=[user_error(e) for e in errors])

    @classmethod
    def mutate(cls, root, info, input):
        result = super().mutate(root, info, input)
        if result.challenges is None:
            result.challenges = []
        return result


class SubmitSolutionInput(graphene.InputObjectType):
    """A new solution."""

    challenge_id = graphene.ID(required=True, description="The Challenge it answers.")
    body = graphene.String(description="Required, Markdown.")


class SubmitSolution(HubMutation):
    """Answer a challenge (signed in); the solution is PUBLISHED at once and the challenge's
    author is emailed."""

    class Arguments:
        input = SubmitSolutionInput(required=True)

    solution = graphene.Field(SolutionType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, challenge_id=("challenge_id", Challenge))
        solution = solutions.submit_solution(viewer=viewer, **arguments)
        return payload(cls, solution=solution)


class UpdateSolutionInput(graphene.InputObjectType):
    """An edit of a solution."""

    id = graphene.ID(required=True, description="The Solution's global id.")
    body = graphene.String(description="The new text, Markdown; null leaves it as it is.")


class UpdateSolution(HubMutation):
    """Edit a solution (its author or a moderator); the old text is kept as a revision."""

    class Arguments:
        input = UpdateSolutionInput(required=True)

    solution = graphene.Field(SolutionType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, id=("solution_id", Solution))
        solution = solutions.update_solution(viewer=viewer, **arguments)
        return payload(cls, solution=solution)


class DeleteSolution(HubMutation):
    """Delete a solution with its comments and votes (its author or a moderator); the
    reputation it earned is withdrawn."""

    class Arguments:
        input = DeleteInput(required=True)

    deleted_id = graphene.ID(
        description="The id of the deleted solution; null when `errors` is not empty."
    )

    @classmethod
    def perform(cls, info, viewer, input):
        solutions.delete_solution(
            viewer=viewer, **service_arguments(input, id=("solution_id", Solution))
        )
        return payload(cls, deleted_id=input["id"])


class VoteSolutionInput(graphene.InputObjectType):
    """A vote."""

    solution_id = graphene.ID(required=True, description="The Solution to vote on.")
    value = VoteValueEnum(
        required=True, description="UP or DOWN (replacing an earlier vote), or CLEAR."
    )


class VoteSolution(HubMutation):
    """Vote a solution up or down, or CLEAR one's vote; never one's own solution."""

    class Arguments:
        input = VoteSolutionInput(required=True)

    solution = graphene.Field(SolutionType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, solution_id=("solution_id", Solution))
        solution = solutions.vote_solution(viewer=viewer, **arguments)
        return payload(cls, solution=solution)


class AcceptSolutionInput(graphene.InputObjectType):
    """The solution to accept."""

    solution_id = graphene.ID(
        required=True, description="The Solution; the one accepted before, if any, is not any more."
    )


class AcceptSolution(HubMutation):
    """Accept a solution as its challenge's answer (the challenge's author or a moderator)."""

    class Arguments:
        input = AcceptSolutionInput(required=True)

    challenge = graphene.Field(ChallengeType)
    solution = graphene.Field(SolutionType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, solution_id=("solution_id", Solution))
        solution = solutions.accept_solution(viewer=viewer, **arguments)
        return payload(cls, challenge=solution.challenge, solution=solution)


class ChallengeMutations(graphene.ObjectType):
    submit_challenge = SubmitChallenge.Field()
    update_challenge = UpdateChallenge.Field()
    delete_challenge = DeleteChallenge.Field()
    bulk_submit_challenges = BulkSubmitChallenges.Field()
    submit_solution = SubmitSolution.Field()
    update_solution = UpdateSolution.Field()
    delete_solution = DeleteSolution.Field()
    vote_solution = VoteSolution.Field()
    accept_solution = AcceptSolution.Field()
