"""Small helpers shared by the schema tests (not a test module)."""

from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Group
from graphql_relay import to_global_id

from hub.permissions import MODERATORS_GROUP
from tests.conftest import GraphQLClient
from tests.factories import ContributorFactory

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    """A fixed, timezone-aware moment `n` days after 2024-01-01 (for ordering tests)."""
    return EPOCH + timedelta(days=n)


def nodes(connection: dict) -> list[dict]:
    """The nodes of a Relay connection, in order."""
    return [edge["node"] for edge in connection["edges"]]


def pluck(connection: dict, field: str = "title") -> list:
    """One field of every node of a connection, in order."""
    return [node[field] for node in nodes(connection)]


def global_id(type_name: str, obj) -> str:
    return to_global_id(type_name, obj.pk)


def client_for(contributor) -> GraphQLClient:
    """A GraphQL client signed in as `contributor`."""
    return GraphQLClient().login(contributor)


def staff_moderator():
    return ContributorFactory(user__is_staff=True)


def group_moderator():
    contributor = ContributorFactory()
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    contributor.user.groups.add(group)
    return contributor


def error_codes(payload: dict) -> list:
    return [error.get("extensions", {}).get("code") for error in payload["errors"]]
