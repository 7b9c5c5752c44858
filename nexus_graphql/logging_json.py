"""Structured logs: one JSON object per line, for log shippers (LOG_FORMAT=json).

Every line has time, level, logger, message and request_id; fields passed with
`extra=` come along; a traceback goes in `exception`. Gunicorn's access log gets
its own formatter that names gunicorn's cryptic atoms.
"""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or "-",
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class GunicornAccessFormatter(JsonFormatter):
    """Gunicorn's access records carry their atoms as a dict in `record.args`."""

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args if isinstance(record.args, dict) else {}
        record.msg, record.args = "request", None
        record.request_id = atoms.get("{x-request-id}o") or "-"
        record.__dict__.update(_access_fields(atoms))
        return super().format(record)


def _access_fields(atoms: dict) -> dict:
    return {
        "remote_addr": atoms.get("h"),
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "query": atoms.get("q") or None,
        "status": _int(atoms.get("s")),
        "bytes": _int(atoms.get("B")),
        "duration_ms": round(_int(atoms.get("D")) / 1000, 3),
        "user_agent": atoms.get("a"),
    }


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
