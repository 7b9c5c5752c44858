"""Helpers for the tests that call hub services directly (not a test module)."""

import pytest
from django.contrib.auth import get_user_model
from graphql_jwt.refresh_token.models import RefreshToken

from hub.errors import ApplicationError, ValidationErrors
from hub.models import (
    Challenge,
    Comment,
    Contributor,
    Flag,
    Learning,
    ModerationAction,
    Revision,
    SearchDocument,
    Solution,
    Vote,
)

WRITTEN_MODELS = (
    Challenge,
    Challenge.technologies.through,
    Solution,
    Vote,
    Comment,
    Learning,
    Learning.technologies.through,
    Revision,
    Flag,
    ModerationAction,
    Contributor,
    SearchDocument,
    RefreshToken,
)


def row_counts() -> dict[str, int]:
    """How many rows each table a service may write holds (to prove a failure wrote nothing)."""
    models = (get_user_model(), *WRITTEN_MODELS)
    return {model._meta.label: model._default_manager.count() for model in models}


def errors_of(call, *args, **kwargs) -> set[tuple[str | None, str]]:
    """Call a service that must fail; its errors as {(field, code)}."""
    with pytest.raises((ApplicationError, ValidationErrors)) as excinfo:
        call(*args, **kwargs)
    failure = excinfo.value
    return {(e.field, e.code.value) for e in getattr(failure, "errors", [failure])}


def reputation_of(contributor) -> int:
    return Contributor.objects.get(pk=contributor.pk).reputation
