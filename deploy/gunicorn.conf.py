"""Gunicorn settings for Nexus: `gunicorn -c deploy/gunicorn.conf.py`.

Tuned from the environment: PORT, WEB_CONCURRENCY (worker processes),
GUNICORN_THREADS, GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS (the proxies whose
X-Forwarded-* headers gunicorn trusts). Logs go to stdout as JSON lines
(access log included). Prometheus metrics are summed over the workers through
files in PROMETHEUS_MULTIPROC_DIR (by default a fresh folder of this server's).
"""

import os
import shutil
import tempfile
from pathlib import Path

# Set here, for this server's processes only (not for Celery or manage.py).
_OWN_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"nexus-metrics-{os.getpid()}")
)

wsgi_app = "nexus_graphql.wsgi:application"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# In a container, size by the CPU the pod is given, not the node's cores: set
# WEB_CONCURRENCY to about 2 x CPUs + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# A rolling deploy sends SIGTERM: requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
# Recycle workers now and then, so a slow leak never takes a pod down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory: a container's disk can stall the workers' heartbeats.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The orchestrator manages the process; no runtime control socket in a home directory.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "nexus_graphql.logging_json.JsonFormatter"},
        "access": {"()": "nexus_graphql.logging_json.GunicornAccessFormatter"},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


def on_starting(server):
    """Metrics of earlier runs must not add up with this one's."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in directory.glob("*.db"):
        leftover.unlink()


def child_exit(server, worker):
    """A finished worker's live gauges leave the shared metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
