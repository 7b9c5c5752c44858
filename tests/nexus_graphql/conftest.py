import pytest
from django.test import Client

from tests.conftest import GraphQLClient


@pytest.fixture
def rate_limits(settings):
    """Small limits, so a test reaches them in a few requests; returns the settings to tweak."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "enabled": True,
        "window_seconds": 60,
        "query": 5,
        "mutation": 3,
        "auth": 2,
    }
    return settings.RATE_LIMITS


def client_from(ip: str, **headers) -> GraphQLClient:
    """A GraphQL client whose connection comes from `ip`."""
    client = GraphQLClient()
    client.http = Client(REMOTE_ADDR=ip, headers=headers)
    return client
