"""What the platform calls: probes for orchestrators, and the Prometheus scrape.

/healthz: the process is alive and answering (no I/O: a slow database must not
get pods killed). /readyz: the database, the cache and the broker answer
(READINESS_CHECKS); 503 with the ones that failed otherwise, so traffic goes to
other pods meanwhile.
/metrics: django-prometheus's exporter (HTTP and GraphQL operation metrics,
summed over gunicorn's workers when PROMETHEUS_MULTIPROC_DIR is set).

A middleware placed first answers all three, before host checks, HTTPS
redirects, traffic logging and rate limits: kubelets and Prometheus call a pod
by its IP over HTTP. None of them is routed by the Ingress (deploy/k8s).
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django_prometheus.exports import ExportToDjangoView

from nexus_graphql.celery import app as celery_app

logger = logging.getLogger("nexus.health")

OK = "ok"
IN_PROCESS = "in-process"


def liveness(request) -> JsonResponse:
    return _answer({"status": "alive"}, 200)


def readiness(request) -> JsonResponse:
    checks, failed = {}, []
    for name in settings.READINESS_CHECKS:
        check = CHECKS[name]
        try:
            checks[name] = check()
        except Exception as error:
            logger.warning("readiness: %s unreachable: %r", name, error)
            checks[name] = f"failed: {type(error).__name__}"
            failed.append(name)
    body = {"status": "unavailable" if failed else "ready", "checks": checks, "failed": failed}
    return _answer(body, 503 if failed else 200)


def _database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def _cache() -> str:
    # The Redis cache swallows its errors (a cache outage degrades, see settings):
    # only a value read back proves it answers.
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    stored = cache.get(key)
    cache.delete(key)
    if stored != value:
        raise ConnectionError("a value written to the cache could not be read back")
    return OK


def _broker() -> str:
    if celery_app.conf.task_always_eager:
        return IN_PROCESS  # no broker configured: tasks run in the web process
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0)
    return OK


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _answer(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


_ENDPOINTS = {
    "/healthz": liveness,
    "/healthz/": liveness,
    "/readyz": readiness,
    "/readyz/": readiness,
    "/metrics": ExportToDjangoView,
}


class ProbesAndMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = _ENDPOINTS.get(request.path_info)
        if endpoint is not None:
            return endpoint(request)
        return self.get_response(request)
