"""Request-level guards of the project, in the order nexus_graphql.settings.MIDDLEWARE runs
them: the probes (nexus_graphql.health), then traffic.middleware.TrafficMiddleware (blocked
addresses refused before any other work, every request logged), then database outages here.
"""

import logging

from django.db import DatabaseError

from nexus_graphql.responses import error_response

# Kept from when this lived beside the traffic middleware: log searches and alerts use it.
logger = logging.getLogger("nexus.traffic")


class DatabaseUnavailableMiddleware:
    """A database outage outside GraphQL resolvers becomes a 503 with Retry-After, not a 500.

    (Inside resolvers graphene already turns it into a masked GraphQL error.)
    """

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        logger.error("database unavailable on %s", request.path, exc_info=exception)
        return error_response(
            "The service is briefly unavailable; try again shortly.",
            "SERVICE_UNAVAILABLE",
            503,
            retry_after=self.RETRY_AFTER_SECONDS,
        )
