import graphene

from hub import selectors
from hub.models import Challenge, Solution
from hub.services import challenges, solutions
from schema.challenges.types import ChallengeType, SolutionType
from schema.core.enums import VoteValueEnum
from schema.core.mutations import HubMutation, payload, service_arguments, user_error
from schema.core.selection import selection_of


class SubmitChallengeInput(graphene.InputObjectType):
    title = graphene.String(description="Required, at most 200 characters.")
    description = graphene.String(description="Required, Markdown.")
    project = graphene.String(description="Slug of the project it arose in.")
    technologies = graphene.List(graphene.NonNull(graphene.String), description="Slugs.")


class SubmitChallenge(HubMutation):
    class Arguments:
        input = SubmitChallengeInput(required=True)

    challenge = graphene.Field(ChallengeType)

    @classmethod
    def perform(cls, info, viewer, input):
        challenge = challenges.submit_challenge(viewer=viewer, **service_arguments(input))
        return payload(cls, challenge=challenge)


class UpdateChallengeInput(SubmitChallengeInput):
    id = graphene.ID(required=True)


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
    id = graphene.ID(required=True)


class DeleteChallenge(HubMutation):
    class Arguments:
        input = DeleteInput(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform(cls, info, viewer, input):
        challenges.delete_challenge(
            viewer=viewer, **service_arguments(input, id=("challenge_id", Challenge))
        )
        return payload(cls, deleted_id=input["id"])


class BulkSubmitChallengesInput(graphene.InputObjectType):
    challenges = graphene.List(graphene.NonNull(SubmitChallengeInput), required=True)


class BulkSubmitChallenges(HubMutation):
    """Submit up to 50 challenges: valid ones are created, invalid ones reported by index."""

    class Arguments:
        input = BulkSubmitChallengesInput(required=True)

    challenges = graphene.List(graphene.NonNull(ChallengeType), required=True)

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
    challenge_id = graphene.ID(required=True)
    body = graphene.String(description="Required, Markdown.")


class SubmitSolution(HubMutation):
    class Arguments:
        input = SubmitSolutionInput(required=True)

    solution = graphene.Field(SolutionType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, challenge_id=("challenge_id", Challenge))
        solution = solutions.submit_solution(viewer=viewer, **arguments)
        return payload(cls, solution=solution)


class UpdateSolutionInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    body = graphene.String(description="Required, Markdown.")


class UpdateSolution(HubMutation):
    class Arguments:
        input = UpdateSolutionInput(required=True)

    solution = graphene.Field(SolutionType)

    @classmethod
    def perform(cls, info, viewer, input):
        arguments = service_arguments(input, id=("solution_id", Solution))
        solution = solutions.update_solution(viewer=viewer, **arguments)
        return payload(cls, solution=solution)


class DeleteSolution(HubMutation):
    class Arguments:
        input = DeleteInput(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform(cls, info, viewer, input):
        solutions.delete_solution(
            viewer=viewer, **service_arguments(input, id=("solution_id", Solution))
        )
        return payload(cls, deleted_id=input["id"])


class VoteSolutionInput(graphene.InputObjectType):
    solution_id = graphene.ID(required=True)
    value = VoteValueEnum(required=True)


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
    solution_id = graphene.ID(required=True)


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
