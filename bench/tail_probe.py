"""Gunicorn hooks for bench.tail: what a worker spends outside the request path.

`gunicorn -c bench/tail_probe.py ...` (bench.tail does it). Per worker: each cyclic-GC
pause (gc.callbacks), and the Redis commands sent (redis-py's send_packed_command), written
at the worker's exit to TAIL_PROBE_DIR/<pid>.json. Not used by the servers bench.run measures.
"""

import gc
import json
import os
import time

_pauses: list[tuple[float, float, int]] = []  # (wall clock at the end, milliseconds, generation)
_flushes: list[tuple[float, float]] = []  # request-log batches written: (end, milliseconds)
_started = [0.0]
_redis_commands = [0]
_requests = [0]


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        ms = (time.perf_counter() - _started[0]) * 1000
        _pauses.append((time.time(), ms, info["generation"]))


def post_worker_init(worker):
    """After the app loaded (traffic.middleware needs Django's apps ready)."""
    gc.callbacks.append(_on_gc)
    from redis.connection import AbstractConnection

    original = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        _redis_commands[0] += 1
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counted

    from traffic.middleware import RequestLogBuffer

    write = RequestLogBuffer._write

    def timed(batch):
        started = time.perf_counter()
        write(batch)
        _flushes.append((time.time(), (time.perf_counter() - started) * 1000))

    RequestLogBuffer._write = staticmethod(timed)


def pre_request(worker, req):
    _requests[0] += 1


def worker_exit(server, worker):
    directory = os.environ.get("TAIL_PROBE_DIR")
    if not directory:
        return
    with open(os.path.join(directory, f"{os.getpid()}.json"), "w") as out:
        json.dump(
            {
                "requests": _requests[0],
                "gc_pauses": _pauses,
                "log_flushes": _flushes,
                "redis": _redis_commands[0],
            },
            out,
        )
