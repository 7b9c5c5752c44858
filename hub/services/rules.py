"""Input rules shared by the services: required, length, enum and content checks.

A `Checks` collects every problem of an input before anything is written, so a
client learns all that is wrong at once.
"""

import re

from django.conf import settings

from hub.errors import ApplicationError, ErrorCode, ValidationErrors

_LINK = re.compile(r"https?://", re.IGNORECASE)


class Checks:
    def __init__(self):
        self.errors: list[ApplicationError] = []

    def fail(self, code: ErrorCode, field: str | None, message: str) -> None:
        self.errors.append(ApplicationError(code, message, field))

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
        """Check a text input; returns it stripped, or None when it is absent.

        `required`: it may not be empty. `partial` (updates): it may be absent.
        """
        label = label or field.replace("_", " ").capitalize()
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
