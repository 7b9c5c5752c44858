"""Structured logs: one JSON object a line, for the app and for gunicorn's access log."""

import json
import logging
import sys

from nexus_graphql.logging_json import GunicornAccessFormatter, JsonFormatter
from nexus_graphql.request_id import RequestIdFilter, bind, unbind


def record(message="answer %s queued", args=(42,), level=logging.INFO, **extra):
    made = logging.getLogger("nexus.test").makeRecord(
        "nexus.test", level, __file__, 1, message, args, None, extra=extra
    )
    RequestIdFilter().filter(made)
    return made


def test_a_line_is_a_json_object_with_time_level_logger_message_and_request_id():
    token = bind("req-1")
    try:
        line = JsonFormatter().format(record())
    finally:
        unbind(token)

    entry = json.loads(line)
    assert entry.pop("time").endswith("+00:00")
    assert entry == {
        "level": "INFO",
        "logger": "nexus.test",
        "message": "answer 42 queued",
        "request_id": "req-1",
    }


def test_extra_fields_come_along():
    entry = json.loads(JsonFormatter().format(record(solution_id=7, queue="nexus")))

    assert (entry["solution_id"], entry["queue"], entry["request_id"]) == (7, "nexus", "-")


def test_a_traceback_goes_in_one_field():
    try:
        raise ValueError("boom")
    except ValueError:
        failed = record("it failed", (), logging.ERROR)
        failed.exc_info = sys.exc_info()

    entry = json.loads(JsonFormatter().format(failed))

    assert entry["message"] == "it failed"
    assert "ValueError: boom" in entry["exception"]
    assert "\n" not in JsonFormatter().format(failed)


def test_values_json_cannot_hold_are_written_as_text():
    entry = json.loads(JsonFormatter().format(record(ids={3})))

    assert entry["ids"] == "{3}"


def test_gunicorn_access_lines_name_their_fields():
    atoms = {
        "h": "10.0.0.9",
        "m": "POST",
        "U": "/graphql/",
        "q": "",
        "s": "200",
        "B": 1234,
        "D": 15250,
        "a": "curl/8",
        "{x-request-id}o": "abc",
    }
    access = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(h)s %(r)s", (atoms,), None
    )

    entry = json.loads(GunicornAccessFormatter().format(access))

    entry.pop("time")
    assert entry == {
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": "request",
        "request_id": "abc",
        "remote_addr": "10.0.0.9",
        "method": "POST",
        "path": "/graphql/",
        "query": None,
        "status": 200,
        "bytes": 1234,
        "duration_ms": 15.25,
        "user_agent": "curl/8",
    }
