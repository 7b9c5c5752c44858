import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus_graphql.settings")

application = get_wsgi_application()

# One list page builds thousands of short-lived objects; Python's default cyclic-GC
# threshold (700 allocations) makes it collect many times per request. Collect
# less often, and never re-scan what start-up loaded (bench/results: ~20% less CPU
# per uncached read, ~30 MB more per worker). PYTHON_GC_THRESHOLD=0 keeps the default.
_threshold = int(os.environ.get("PYTHON_GC_THRESHOLD", "50000"))
if _threshold:
    gc.freeze()
    gc.set_threshold(_threshold, 20, 20)
