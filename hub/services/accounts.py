"""Accounts: registration with Django's password validators, profile edits."""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from hub.errors import ApplicationError, ErrorCode
from hub.models import Contributor, Track
from hub.permissions import require_contributor
from hub.services.rules import Checks

USERNAME_MAX = 150
DISPLAY_NAME_MAX = 80
BIO_MAX = 2_000
DISCORD_MAX = 64


@transaction.atomic
def register(*, username, email, password, display_name=None, track=None) -> Contributor:
    User = get_user_model()
    checks = Checks()
    username = checks.text("username", username, max_length=USERNAME_MAX)
    if username:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            checks.fail(ErrorCode.INVALID, "username", "Use letters, digits and @ . + - _ only.")
    email = checks.text("email", email, max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            checks.fail(ErrorCode.INVALID, "email", "Enter a valid email address.")
    display_name = checks.text(
        "display_name", display_name, max_length=DISPLAY_NAME_MAX, required=False
    )
    track = checks.choice("track", track, Track, required=False) or Track.BACKEND
    if not password:
        checks.fail(ErrorCode.REQUIRED, "password", "Password is required.")
    else:
        try:
            password_validation.validate_password(
                password, User(username=username or "", email=email or "")
            )
        except ValidationError as error:
            checks.fail(ErrorCode.INVALID, "password", " ".join(error.messages))
    if username and User.objects.filter(username__iexact=username).exists():
        checks.fail(ErrorCode.DUPLICATE, "username", "This username is taken.")
    if email and User.objects.filter(email__iexact=email).exists():
        checks.fail(ErrorCode.DUPLICATE, "email", "An account with this email exists.")
    checks.raise_if_any()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:  # a concurrent registration took the name first
        raise ApplicationError(ErrorCode.DUPLICATE, "This username is taken.", "username") from None
    contributor = user.contributor
    contributor.display_name = display_name or username
    contributor.track = track
    contributor.save()
    return contributor


@transaction.atomic
def update_profile(viewer, *, display_name=None, bio=None, discord_handle=None, track=None):
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
