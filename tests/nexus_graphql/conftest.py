import pytest
from django.test import Client

from hub.selectors.traffic import forget_blocklist
from nexus_graphql.middleware import request_log
from tests.conftest import GraphQLClient


@pytest.fixture
def traffic(settings, db):
    """The traffic middleware on, writing each request's log row at once."""
    settings.TRAFFIC_TRACKING = True
    settings.REQUEST_LOG_BATCH_SIZE = 1
    settings.REQUEST_LOG_BACKGROUND_WRITES = False  # rows are there when the request returns
    request_log.discard()
    forget_blocklist()
    yield
    request_log.discard()
    forget_blocklist()


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
