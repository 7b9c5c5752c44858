import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus_graphql.settings")

_django_application = get_wsgi_application()

# One list page builds thousands of short-lived objects; Python's default cyclic-GC
# threshold (700 allocations) makes it collect many times per request. Collect
# less often, and never re-scan what start-up loaded (bench/results: ~20% less CPU
# per uncached read, ~30 MB more per worker). PYTHON_GC_THRESHOLD=0 keeps the default.
_threshold = int(os.environ.get("PYTHON_GC_THRESHOLD", "50000"))
if _threshold:
    gc.freeze()
    gc.set_threshold(_threshold, 20, 20)

# But every request leaves a reference cycle behind (Django's request <-> request.user
# closure, messages storage, ...: ~70 objects). At the raised threshold they piled up for
# ~700 cached requests and were freed in one collection of 240-310 ms, which every request
# queued meanwhile waited for: the cached path's p99 (bench/tail.py, README "Performance").
# So the young generation is collected after each response has been sent, when it holds
# only that request's garbage; the threshold still keeps collections out of a long request.
# PYTHON_GC_AFTER_RESPONSE=false turns it off.
_collect_after_response = bool(_threshold) and os.environ.get(
    "PYTHON_GC_AFTER_RESPONSE", "true"
).lower() not in ("0", "false", "no", "off")
# As the automatic thresholds would: the middle generation every 20 young collections.
_MIDDLE_EVERY = 20


def _collect_young() -> None:
    gc.collect(1 if gc.get_count()[1] >= _MIDDLE_EVERY else 0)


class _CollectedAfterClose:
    """The response body as the server iterates it; close() (after the last byte is
    written) then collects the request's garbage."""

    def __init__(self, body):
        self._body = body

    def __iter__(self):
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            _collect_young()


def application(environ, start_response):
    body = _django_application(environ, start_response)
    file_wrapper = environ.get("wsgi.file_wrapper")
    if not _collect_after_response or (file_wrapper and isinstance(body, file_wrapper)):
        return body  # files keep the server's sendfile path
    return _CollectedAfterClose(body)
