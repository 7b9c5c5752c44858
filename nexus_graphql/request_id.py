"""A request id on every request, response, log line and the tasks a request queues.

An id sent by the proxy or the client in X-Request-ID is kept when it looks like
an id (so one id follows a request across services); anything else is replaced.
The id is returned in X-Request-ID and added to every log record (`request_id`).
"""

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current() -> str | None:
    """The id of the request (or task) being handled in this thread, if any."""
    return _current.get()


def bind(request_id: str | None):
    """Make `request_id` current; returns the token to `unbind` with."""
    return _current.set(request_id)


def unbind(token) -> None:
    _current.reset(token)


def accepted(candidate: str | None) -> str:
    """The incoming id when it is a sane id, else a new one."""
    if candidate and _VALID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers: building the headers mapping costs more than the rest.
        request.request_id = accepted(request.META.get("HTTP_X_REQUEST_ID"))
        token = bind(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            unbind(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or "-") to every record, so any formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get() or "-"
        return True
