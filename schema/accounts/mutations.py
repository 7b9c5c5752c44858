import graphene

from hub.services import accounts
from schema.accounts import tokens
from schema.contributors.types import ContributorType
from schema.core.enums import TrackEnum, enum_value
from schema.core.mutations import HubMutation, payload, service_arguments


class RegisterInput(graphene.InputObjectType):
    username = graphene.String(description="Required; letters, digits and @.+-_.")
    email = graphene.String(description="Required; one account per address.")
    password = graphene.String(description="Required; checked by the password validators.")
    display_name = graphene.String()
    track = TrackEnum()


class Register(HubMutation):
    """Create an account; the payload signs the new contributor in."""

    sign_in_required = False

    class Arguments:
        input = RegisterInput(required=True)

    contributor = graphene.Field(ContributorType)
    token = graphene.String()
    refresh_token = graphene.String()

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
    display_name = graphene.String()
    bio = graphene.String()
    discord_handle = graphene.String()
    track = TrackEnum()


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
    token_auth = tokens.TokenAuth.Field(description="Sign in: an access and a refresh token.")
    verify_token = tokens.VerifyToken.Field()
    refresh_token = tokens.RefreshToken.Field(
        description="A new access token (and rotated refresh token) for a refresh token."
    )
    revoke_token = tokens.RevokeToken.Field(description="Revoke a refresh token (sign out).")
    update_profile = UpdateProfile.Field()
