"""Input rules shared by the services: storable, required, length, enum and content checks.

A `Checks` collects every problem of an input before anything is written, so a
client learns all that is wrong at once.
"""

import re

from django.conf import settings

from hub.errors import ApplicationError, ErrorCode, ValidationErrors

_LINK = re.compile(r"https?://", re.IGNORECASE)
# PostgreSQL's text columns refuse NUL (SQLite silently keeps it) and no UTF-8 encoder takes
# a lone surrogate (JSON's "\ud800" arrives as one): refused on both databases alike.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def find_unstorable_error(field: str, value, label: str = "") -> ApplicationError | None:
    """INVALID on `field` when the database would refuse this text; None when it is storable."""
    found = _UNSTORABLE.search(value) if isinstance(value, str) else None
    if found is None:
        return None
    label = label or field.replace("_", " ").capitalize()
    if found.group() == "\x00":
        return ApplicationError(ErrorCode.INVALID, f"{label} contains a NUL character.", field)
    return ApplicationError(
        ErrorCode.INVALID, f"{label} contains an unpaired surrogate (not valid Unicode).", field
    )


def require_storable(field: str, value, label: str = "") -> None:
    """For a lone text input (a lookup key, a token) outside a `Checks`."""
    error = find_unstorable_error(field, value, label)
    if error is not None:
        raise error


class Checks:
    def __init__(self):
        self.errors: list[ApplicationError] = []

    def fail(self, code: ErrorCode, field: str | None, message: str) -> None:
        self.errors.append(ApplicationError(code, message, field))

    def storable(self, field: str, value, label: str = "") -> bool:
        """Every text input passes here before it reaches a query or a column."""
        error = find_unstorable_error(field, value, label)
        if error is not None:
            self.errors.append(error)
        return error is None

    def text(
        self,
        field: str,
        value,
        *,
        max_length: int,
        required: bool = True,
        partial: bool = False,
        label: str = "",
    ) -> str | None:
        """Check a text input; returns it stripped, or None when it is absent or unstorable.

        `required`: it may not be empty. `partial` (updates): it may be absent.
        """
        label = label or field.replace("_", " ").capitalize()
        if not self.storable(field, value, label):
            return None
        if value is None:
            if required and not partial:
                self.fail(ErrorCode.REQUIRED, field, f"{label} is required.")
            return None
        value = value.strip()
        if required and not value:
            self.fail(ErrorCode.REQUIRED, field, f"{label} is required.")
        elif len(value) > max_length:
            self.fail(
                ErrorCode.TOO_LONG,
                field,
                f"{label} is {len(value)} characters; at most {max_length}.",
            )
        else:
            self.content(field, value, label)
        return value

    def markdown(self, field: str, value, *, partial: bool = False, label: str = "") -> str | None:
        return self.text(
            field, value, max_length=settings.HUB_MARKDOWN_MAX_CHARS, partial=partial, label=label
        )

    def choice(self, field: str, value, choices, *, required: bool = True):
        if value is None:
            if required:
                self.fail(ErrorCode.REQUIRED, field, f"{field} is required.")
            return None
        if value not in choices.values:
            allowed = ", ".join(choices.values)
            self.fail(ErrorCode.INVALID, field, f"{value!r} is not one of {allowed}.")
        return value

    def content(self, field: str, value: str, label: str) -> None:
        """The content filter: banned words and link spam (settings.HUB_CONTENT_FILTER)."""
        rules = settings.HUB_CONTENT_FILTER
        lowered = value.lower()
        banned = next((w for w in rules["BANNED_WORDS"] if w and w.lower() in lowered), None)
        if banned:
            self.fail(ErrorCode.INVALID, field, f"{label} contains a banned word ({banned!r}).")
        elif len(_LINK.findall(value)) > rules["MAX_LINKS"]:
            self.fail(
                ErrorCode.INVALID,
                field,
                f"{label} has more than {rules['MAX_LINKS']} links; that looks like link spam.",
            )

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationErrors(self.errors)
