import graphene

from hub.services import accounts
from schema.accounts import tokens
from schema.contributors.types import ContributorType
from schema.core.enums import TrackEnum, enum_value
from schema.core.mutations import HubMutation, payload, service_arguments


class RegisterInput(graphene.InputObjectType):
    """A new account."""

    username = graphene.String(
        description="Required, at most 150 characters: letters, digits and @.+-_. DUPLICATE "
        "if it is taken, whatever its case, or looks like a taken one."
    )
    email = graphene.String(description="Required; one account per address, whatever its case.")
    password = graphene.String(description="Required; checked by the password validators.")
    display_name = graphene.String(description="The name to show, at most 80 characters.")
    track = TrackEnum(description="The program track; BACKEND when not given.")


class Register(HubMutation):
    """Create an account; the payload signs the new contributor in."""

    sign_in_required = False

    class Arguments:
        input = RegisterInput(required=True)

    contributor = graphene.Field(ContributorType)
    token = graphene.String(
        description="An access token for the new contributor, as `tokenAuth` gives; null when "
        "`errors` is not empty."
    )
    refresh_token = graphene.String(
        description="A refresh token, as `tokenAuth` gives; null when `errors` is not empty."
    )

    @classmethod
    def perform(cls, info, viewer, input):
        contributor = accounts.register(
            username=input.get("username"),
            email=input.get("email"),
            password=input.get("password"),
            display_name=input.get("display_name"),
            track=enum_value(input.get("track")),
        )
        token, refresh_token = tokens.issue_tokens(contributor.user)
        return payload(cls, contributor=contributor, token=token, refresh_token=refresh_token)


class UpdateProfileInput(graphene.InputObjectType):
    """A profile edit: a field left out or null stays as it is."""

    display_name = graphene.String(description="The name to show, at most 80 characters.")
    bio = graphene.String(description="About oneself, at most 2,000 characters; empty clears it.")
    discord_handle = graphene.String(description="At most 64 characters; empty clears it.")
    track = TrackEnum(description="The program track.")


class UpdateProfile(HubMutation):
    """Change the signed-in contributor's profile; absent fields stay as they are."""

    class Arguments:
        input = UpdateProfileInput(required=True)

    contributor = graphene.Field(ContributorType)

    @classmethod
    def perform(cls, info, viewer, input):
        contributor = accounts.update_profile(viewer=viewer, **service_arguments(input))
        return payload(cls, contributor=contributor)


class AccountMutations(graphene.ObjectType):
    register = Register.Field()
    token_auth = tokens.TokenAuth.Field(
        description="Sign in: an access and a refresh token. Wrong credentials are an error; "
        "repeated failures lock the account or address for a while (RATE_LIMITED)."
    )
    verify_token = tokens.VerifyToken.Field(
        description="Check an access token: its claims, or an error if it is expired or forged."
    )
    refresh_token = tokens.RefreshToken.Field(
        description="A new access token (and rotated refresh token) for a refresh token."
    )
    revoke_token = tokens.RevokeToken.Field(description="Revoke a refresh token (sign out).")
    update_profile = UpdateProfile.Field()
