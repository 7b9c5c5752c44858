"""Bounded logs for a dependency that is down: a few lines per outage, not one per failure.

    outage = Outage(logger, "Redis 10.0.0.7:6379")
    outage.failed(error)   # on every failed call
    outage.succeeded()     # on every successful one (free while nothing is wrong)

The first failure logs one warning, "<what> unavailable: <error class>: <message>", with no
traceback. Further failures are counted, and at most every `repeat_seconds` one warning
says how many there were since the last line. The first success after that logs one line
with the outage's length and its failure count. `level` is WARNING unless the outage is
a consequence another Outage already reports (one warning per cause, not per symptom).
Thread-safe: failures take a lock (an
outage is the slow path anyway); a success while healthy reads one attribute.
"""

import logging
import threading
import time

_clock = time.monotonic  # replaceable in tests


class Outage:
    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        repeat_seconds: float = 60.0,
        level: int = logging.WARNING,
    ):
        self.logger, self.what, self.level = logger, what, level
        self.repeat_seconds = repeat_seconds
        self._lock = threading.Lock()
        self._down_since: float | None = None  # None: healthy
        self._failures = 0  # since the outage began
        self._unreported = 0  # since the last line
        self._reported_at = 0.0

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def failed(self, error: BaseException | None = None) -> None:
        with self._lock:
            now = _clock()
            if self._down_since is None:
                self._down_since, self._failures, self._unreported = now, 1, 0
                self._reported_at = now
                line = f"{self.what} unavailable: {_describe(error)}"
            else:
                self._failures += 1
                self._unreported += 1
                since = now - self._reported_at
                if since < self.repeat_seconds:
                    return
                line = (
                    f"{self.what} still unavailable: {self._unreported} failures "
                    f"in the last {since:.0f} s"
                )
                self._unreported, self._reported_at = 0, now
        self.logger.log(self.level, line)

    def succeeded(self) -> None:
        if self._down_since is None:
            return  # the common case: no lock, nothing to say
        with self._lock:
            if self._down_since is None:
                return  # another thread reported the recovery
            lasted, failures = _clock() - self._down_since, self._failures
            self._down_since, self._failures, self._unreported = None, 0, 0
        line = f"{self.what} recovered after {lasted:.1f} s ({failures} failures)"
        self.logger.log(self.level, line)


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "no error given"
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
