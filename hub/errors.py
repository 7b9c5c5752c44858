"""The one error type of the domain. The API layer maps it to its own shapes."""

from enum import StrEnum


class ErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"


class ApplicationError(Exception):
    """A rule said no. `field` names the offending input (snake_case) or None."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None, index=None):
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.field = field
        self.index = index

    def __repr__(self):
        return f"ApplicationError({self.code}, {self.message!r}, field={self.field!r})"


class ValidationErrors(Exception):
    """Several ApplicationErrors found at once (all fields of an input are checked)."""

    def __init__(self, errors: list[ApplicationError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors
