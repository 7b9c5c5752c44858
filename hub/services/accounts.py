"""Accounts: registration with Django's password validators, profile edits."""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from hub.errors import ApplicationError, ErrorCode, ValidationErrors
from hub.models import Contributor, Track
from hub.models.people import email_key, username_key, username_skeleton
from hub.permissions import Viewer, require_contributor
from hub.services.rules import Checks

USERNAME_MAX = 150
DISPLAY_NAME_MAX = 80
BIO_MAX = 2_000
DISCORD_MAX = 64


@transaction.atomic
def register(
    *,
    username: str | None,
    email: str | None,
    password: str | None,
    display_name: str | None = None,
    track: str | None = None,
) -> Contributor:
    """A new account. Usernames are compared as the database's unique keys do
    (hub.models.people): the same after NFKC and case folding is taken, a lookalike of an
    existing name is refused; one account per email address, whatever its case.
    """
    User = get_user_model()
    checks = Checks()
    username = checks.text("username", username, max_length=USERNAME_MAX)
    if username:
        username = User.normalize_username(username)
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            checks.fail(ErrorCode.INVALID, "username", "Use letters, digits and @ . + - _ only.")
            username = None
    email = checks.text("email", email, max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            checks.fail(ErrorCode.INVALID, "email", "Enter a valid email address.")
            email = None
    display_name = checks.text(
        "display_name", display_name, max_length=DISPLAY_NAME_MAX, required=False
    )
    track = checks.choice("track", track, Track, required=False) or Track.BACKEND
    if not password:
        checks.fail(ErrorCode.REQUIRED, "password", "Password is required.")
    elif checks.storable("password", password):
        try:
            password_validation.validate_password(
                password, User(username=username or "", email=email or "")
            )
        except ValidationError as error:
            checks.fail(ErrorCode.INVALID, "password", " ".join(error.messages))
    for error in _identity_taken(username, email):
        checks.errors.append(error)
    checks.raise_if_any()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        # A concurrent registration took the name or the address between the check above
        # and the insert: the unique indexes decided, and the winner has committed by now.
        raise ValidationErrors(
            _identity_taken(username, email)
            or [ApplicationError(ErrorCode.DUPLICATE, _USERNAME_TAKEN, "username")]
        ) from None
    contributor = user.contributor
    contributor.display_name = display_name or username
    contributor.track = track
    contributor.save(update_fields=["display_name", "track"])
    return contributor


_USERNAME_TAKEN = "This username is taken."


def _identity_taken(username: str | None, email: str | None) -> list[ApplicationError]:
    """DUPLICATE errors for a username or email address an existing account holds."""
    errors = []
    if username:
        if Contributor.objects.filter(username_key=username_key(username)).exists():
            errors.append(ApplicationError(ErrorCode.DUPLICATE, _USERNAME_TAKEN, "username"))
        elif Contributor.objects.filter(username_skeleton=username_skeleton(username)).exists():
            errors.append(
                ApplicationError(
                    ErrorCode.DUPLICATE,
                    "This username looks like an existing one; choose another.",
                    "username",
                )
            )
    if email and Contributor.objects.filter(email_key=email_key(email)).exists():
        errors.append(
            ApplicationError(ErrorCode.DUPLICATE, "An account with this email exists.", "email")
        )
    return errors


@transaction.atomic
def update_profile(
    *,
    viewer: Viewer,
    display_name: str | None = None,
    bio: str | None = None,
    discord_handle: str | None = None,
    track: str | None = None,
) -> Contributor:
    contributor = require_contributor(viewer)
    checks = Checks()
    values = {
        "display_name": checks.text(
            "display_name", display_name, max_length=DISPLAY_NAME_MAX, partial=True
        ),
        "bio": checks.text("bio", bio, max_length=BIO_MAX, required=False),
        "discord_handle": checks.text(
            "discord_handle", discord_handle, max_length=DISCORD_MAX, required=False
        ),
        "track": checks.choice("track", track, Track, required=False),
    }
    checks.raise_if_any()
    changed = [field for field, value in values.items() if value is not None]
    for field in changed:
        setattr(contributor, field, values[field])
    if changed:
        contributor.save(update_fields=changed)
    return contributor
