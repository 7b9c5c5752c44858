"""Nexus settings, read from the environment.

Defaults are for development on embedded parts (SQLite, local-memory cache);
set DATABASE_URL / REDIS_URL to switch to the real services. With DEBUG off
the defaults turn safe: SECRET_KEY becomes required and hosts are explicit.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)

INSTALLED_APPS = [
    # daphne first: its runserver serves WebSockets (subscriptions) beside HTTP.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "graphene_django",
    "channels",
    "django_prometheus",
    "corsheaders",
    "graphql_jwt.refresh_token.apps.RefreshTokenConfig",
    "hub.apps.HubConfig",
    "traffic.apps.TrafficConfig",
    "nexus_graphql.apps.NexusConfig",
]

MIDDLEWARE = [
    # Before all: probes and /metrics are answered at once (nexus_graphql.health);
    # then every request below gets an id (X-Request-ID, logs) and HTTP metrics.
    "nexus_graphql.health.ProbesAndMetricsMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "nexus_graphql.request_id.RequestIdMiddleware",
    # First: a blocked address is refused before any other work; every request is timed.
    "traffic.middleware.TrafficMiddleware",
    "nexus_graphql.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: django-prometheus's, with labels a client cannot multiply (nexus_graphql.metrics).
    "nexus_graphql.metrics.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "nexus_graphql.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nexus_graphql" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "nexus_graphql.wsgi.application"
ASGI_APPLICATION = "nexus_graphql.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Django's engines plus the hub's data versions bumped inside each commit (nexus_graphql.db).
_VERSIONED_ENGINES = {
    "django.db.backends.postgresql": "nexus_graphql.db.postgresql",
    "django.db.backends.sqlite3": "nexus_graphql.db.sqlite3",
}
_VENDOR_ENGINE = DATABASES["default"]["ENGINE"]
if _VENDOR_ENGINE not in _VERSIONED_ENGINES:
    raise ImproperlyConfigured("DATABASE_URL names PostgreSQL or SQLite.")
DATABASES["default"]["ENGINE"] = _VERSIONED_ENGINES[_VENDOR_ENGINE]
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A connection kept across requests is checked first, so a database restart heals by itself.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# No statement runs longer than this (PostgreSQL cancels it; the API answers TIMEOUT),
# well inside the request's budget (GRAPHQL_EXECUTION_SECONDS) and gunicorn's timeout.
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=5_000)
if _VENDOR_ENGINE == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    ).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# After a Redis server fails to answer, its commands are refused without I/O for this long;
# then one caller probes it (nexus_graphql.redis_breaker).
REDIS_BREAKER_OPEN_SECONDS = env.float("REDIS_BREAKER_OPEN_SECONDS", default=5.0)
if REDIS_BREAKER_OPEN_SECONDS <= 0:
    raise ImproperlyConfigured("REDIS_BREAKER_OPEN_SECONDS must be above 0.")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "REDIS_CLIENT_CLASS": "nexus_graphql.redis_breaker.BreakerRedis",
                # A cache outage must degrade to uncached answers, never to errors.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="nexus"),
        },
        # Rate-limit counters and sign-in failures (nexus_graphql.ratelimit, signin_guard).
        # In production point RATELIMIT_REDIS_URL at a Redis of their own with
        # `maxmemory-policy noeviction`: on the cache's Redis a flood of cached responses
        # could evict them. Their code handles outages itself (per-process counters meanwhile).
        "ratelimit": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env.str("RATELIMIT_REDIS_URL", default=REDIS_URL),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "REDIS_CLIENT_CLASS": "nexus_graphql.redis_breaker.BreakerRedis",
                "IGNORE_EXCEPTIONS": False,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="nexus"),
        },
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    # Not one traceback per failed command: the breaker logs each outage in a few lines.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "nexus",
        },
        # A store of its own: cached responses filling "default" never cull a counter.
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "nexus-ratelimit",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: a locked account or address is refused before any password is checked.
    "nexus_graphql.signin_guard.SigninGuardBackend",
    "graphql_jwt.backends.JSONWebTokenBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Served by WhiteNoise. In production (DEBUG off) from `collectstatic`'s output, with
# hashed names cached forever; in development straight from the apps' static folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

GRAPHENE = {
    "SCHEMA": "schema.schema.schema",
    # Authentication happens once per request in the view, not per field.
    "MIDDLEWARE": [],
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
    "SCHEMA_OUTPUT": "schema.graphql",
    "ATOMIC_MUTATIONS": False,
}

GRAPHQL_JWT = {
    "JWT_VERIFY_EXPIRATION": True,
    "JWT_EXPIRATION_DELTA": timedelta(minutes=env.int("JWT_EXPIRATION_MINUTES", default=15)),
    "JWT_LONG_RUNNING_REFRESH_TOKEN": True,
    "JWT_REFRESH_EXPIRATION_DELTA": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "JWT_ALLOW_ARGUMENT": False,
    # The viewer with their contributor profile and moderator flag, in one statement.
    "JWT_GET_USER_BY_NATURAL_KEY_HANDLER": "hub.permissions.get_viewer_by_username",
}

# The GraphQL endpoint (nexus_graphql.views).
GRAPHQL_MAX_BODY_BYTES = env.int("GRAPHQL_MAX_BODY_BYTES", default=100_000)
GRAPHQL_DOCUMENT_CACHE_SIZE = env.int("GRAPHQL_DOCUMENT_CACHE_SIZE", default=256)
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=True)
# The parser stops at this many tokens (GraphiQL's introspection query has about 300).
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", default=5_000)
GRAPHQL_QUERY_LIMITS = {
    "max_depth": env.int("GRAPHQL_MAX_DEPTH", default=10),
    "max_cost": env.int("GRAPHQL_MAX_COST", default=500_000),
    "max_aliases": env.int("GRAPHQL_MAX_ALIASES", default=30),
    "max_fields": env.int("GRAPHQL_MAX_FIELDS", default=500),
    "max_directives": env.int("GRAPHQL_MAX_DIRECTIVES", default=50),
    "max_nesting": env.int("GRAPHQL_MAX_NESTING", default=50),
    "max_same_name": env.int("GRAPHQL_MAX_SAME_FIELD", default=20),
    "max_spreads": env.int("GRAPHQL_MAX_SPREADS", default=30),
}
# An execution stops with TIMEOUT past this budget (checked between objects), and with
# RESPONSE_TOO_LARGE past this many fields or bytes: far inside gunicorn's timeout.
GRAPHQL_EXECUTION_SECONDS = env.float("GRAPHQL_EXECUTION_SECONDS", default=10.0)
GRAPHQL_MAX_RESPONSE_FIELDS = env.int("GRAPHQL_MAX_RESPONSE_FIELDS", default=200_000)
GRAPHQL_MAX_RESPONSE_BYTES = env.int("GRAPHQL_MAX_RESPONSE_BYTES", default=5 * 1024 * 1024)
# Whole responses of anonymous read queries, keyed by the versions of what they show.
GRAPHQL_RESPONSE_CACHE = env.bool("GRAPHQL_RESPONSE_CACHE", default=True)
GRAPHQL_RESPONSE_CACHE_SECONDS = env.int("GRAPHQL_RESPONSE_CACHE_SECONDS", default=300)
# Larger answers are served but not stored: a few huge bodies cannot fill the cache.
GRAPHQL_RESPONSE_CACHE_MAX_BODY_BYTES = env.int(
    "GRAPHQL_RESPONSE_CACHE_MAX_BODY_BYTES", default=1024 * 1024
)
# Bodies each worker also keeps in memory (the same keys: never stale).
GRAPHQL_RESPONSE_CACHE_LOCAL_BYTES = env.int(
    "GRAPHQL_RESPONSE_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024
)
# Answers are invalidated by writes to what they show (schema.core.dependencies); off, by
# any write at all (what the benchmark's write mix compares against).
GRAPHQL_RESPONSE_CACHE_BY_KIND = env.bool("GRAPHQL_RESPONSE_CACHE_BY_KIND", default=True)
# Successful anonymous GET queries may be kept this long by browsers and CDNs
# (`Cache-Control: public, max-age=N`; 0: `public, no-cache`, revalidated by ETag each time).
GRAPHQL_HTTP_MAX_AGE = env.int("GRAPHQL_HTTP_MAX_AGE", default=10)

# Automatic persisted queries (Apollo's protocol, nexus_graphql.persisted): documents sent
# with their sha256 are kept this long in the cache, then found by the hash alone.
GRAPHQL_PERSISTED_QUERIES = env.bool("GRAPHQL_PERSISTED_QUERIES", default=True)
GRAPHQL_PERSISTED_QUERY_SECONDS = env.int("GRAPHQL_PERSISTED_QUERY_SECONDS", default=86_400)
# Trusted documents: only the manifest's operations run (`manage.py trusted_documents`
# writes it from docs/operations and the JS clients' operations).
GRAPHQL_TRUSTED_DOCUMENTS = env.bool("GRAPHQL_TRUSTED_DOCUMENTS", default=False)
GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST = env.str(
    "GRAPHQL_TRUSTED_DOCUMENTS_MANIFEST",
    default=str(BASE_DIR / "nexus_graphql" / "trusted-documents.json"),
)

# Selection-aware prefetching in hub selectors, and the lean execution of plain fields
# (nexus_graphql.execution): off only for the benchmark's naive baseline.
HUB_PREFETCH = env.bool("HUB_PREFETCH", default=True)
GRAPHQL_LEAN_EXECUTION = env.bool("GRAPHQL_LEAN_EXECUTION", default=True)
# The compiled read path (schema.compiled): planned queries answered from `.values()`
# rows; off, every operation takes graphql-core and the resolvers (the reference path).
NEXUS_COMPILED_READS = env.bool("NEXUS_COMPILED_READS", default=True)

# Seeded content is attributed to this curator account (no usable password).
HUB_CURATOR_USERNAME = "prodev-hub"

# Content limits, enforced by hub services.
HUB_MARKDOWN_MAX_CHARS = env.int("HUB_MARKDOWN_MAX_CHARS", default=20_000)

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    # Browsers that have seen the site over HTTPS keep to it (sent on HTTPS responses only).
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)

# Security and limits (README "Security and limits").
# Browsers on these origins may call /graphql/; tokens travel in a header, never in cookies.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# In development, a frontend's dev server on this machine (Vite, Next...) on any port too.
DEVELOPMENT_CORS_ORIGIN_REGEXES = [r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$"]
CORS_ALLOWED_ORIGIN_REGEXES = DEVELOPMENT_CORS_ORIGIN_REGEXES if DEBUG else []
CORS_URLS_REGEX = r"^/graphql/$"
CORS_PREFLIGHT_MAX_AGE = 86_400
# Reverse proxies in front of the service (nexus_graphql.client_ip): with none, the socket
# address is the client and X-Forwarded-For is ignored, since any caller can write it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Units per window (nexus_graphql.ratelimit), counted in the "ratelimit" cache. Each address
# pays for every request before it is parsed (1 unit + 1 per started RATE_LIMIT_KB_PER_UNIT
# of body and query string); then queries cost 1, and each mutation root field 1 (each
# alias counts), charged to the address and, when signed in, to the user as well.
RATE_LIMITS = {
    "enabled": env.bool("RATE_LIMIT_ENABLED", default=True),
    "window_seconds": env.int("RATE_LIMIT_WINDOW_SECONDS", default=60),
    "request": env.int("RATE_LIMIT_REQUEST_UNITS", default=1500),
    "bytes_per_unit": env.int("RATE_LIMIT_KB_PER_UNIT", default=4) * 1024,
    "query": env.int("RATE_LIMIT_QUERIES", default=600),
    "mutation": env.int("RATE_LIMIT_MUTATIONS", default=60),
    # tokenAuth and register fields: password guessing and sign-up floods.
    "auth": env.int("RATE_LIMIT_AUTH", default=10),
}
if min(v for k, v in RATE_LIMITS.items() if k != "enabled") < 1:
    raise ImproperlyConfigured("RATE_LIMIT_* windows, units and allowances must be at least 1.")
# Failed sign-ins (nexus_graphql.signin_guard), per account and per address: after
# `account_failures` (or `address_failures`) failures, sign-in is refused for lock_seconds,
# doubled by each further failure up to max_lock_seconds; failures are remembered for
# memory_seconds, and a success clears the account's count.
SIGNIN_GUARD = {
    "enabled": env.bool("SIGNIN_GUARD_ENABLED", default=True),
    "account_failures": env.int("SIGNIN_LOCK_ACCOUNT_AFTER", default=5),
    "address_failures": env.int("SIGNIN_LOCK_ADDRESS_AFTER", default=20),
    "lock_seconds": env.int("SIGNIN_LOCK_SECONDS", default=60),
    "max_lock_seconds": env.int("SIGNIN_MAX_LOCK_SECONDS", default=3600),
    "memory_seconds": env.int("SIGNIN_FAILURE_MEMORY_SECONDS", default=86_400),
}
if min(v for k, v in SIGNIN_GUARD.items() if k != "enabled") < 1:
    raise ImproperlyConfigured("SIGNIN_* counts and durations must be at least 1.")
# The request log and the address blocklist (the traffic app).
TRAFFIC_TRACKING = env.bool("TRAFFIC_TRACKING", default=True)
REQUEST_LOG_BATCH_SIZE = env.int("REQUEST_LOG_BATCH_SIZE", default=200)
REQUEST_LOG_FLUSH_SECONDS = env.float("REQUEST_LOG_FLUSH_SECONDS", default=2.0)
# Batches are written by a short-lived thread, off every request's path.
REQUEST_LOG_BACKGROUND_WRITES = env.bool("REQUEST_LOG_BACKGROUND_WRITES", default=True)
REQUEST_LOG_RETENTION_DAYS = env.int("REQUEST_LOG_RETENTION_DAYS", default=30)
BLOCKLIST_REFRESH_SECONDS = env.float("BLOCKLIST_REFRESH_SECONDS", default=5.0)
TRAFFIC_ANOMALIES = {
    "window_minutes": env.int("ANOMALY_WINDOW_MINUTES", default=10),
    # Abnormal volume: at least this many requests, and `volume_factor` times the median address.
    "volume_min": env.int("ANOMALY_VOLUME_MIN", default=1_000),
    "volume_factor": env.float("ANOMALY_VOLUME_FACTOR", default=10.0),
    "auth_failures": env.int("ANOMALY_AUTH_FAILURES", default=10),
}

# Operations (README "Operations").
# django-prometheus's per-request HTTP metrics cost about 50-100 us a request; GraphQL
# operation metrics (nexus_graphql.metrics) and /metrics stay when they are turned off.
if not env.bool("PROMETHEUS_HTTP_METRICS", default=True):
    MIDDLEWARE = [
        name
        for name in MIDDLEWARE
        if not name.endswith(("PrometheusBeforeMiddleware", "PrometheusAfterMiddleware"))
    ]
# Behind a proxy that sets X-Forwarded-Host (TRUSTED_PROXY_COUNT above covers the scheme).
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# What /readyz checks (nexus_graphql.health). The API degrades without the cache or the
# broker: leave them out to keep pods serving through a Redis or RabbitMQ outage.
_READINESS = ["database", "cache", "broker", "channel_layer"]
READINESS_CHECKS = env.list("READINESS_CHECKS", default=_READINESS)
if not set(READINESS_CHECKS) <= set(_READINESS):
    raise ImproperlyConfigured(
        "READINESS_CHECKS names database, cache, broker and/or channel_layer."
    )
# /readyz runs its checks at most once per READINESS_CACHE_SECONDS in each process and
# serves that result in between; each check gets READINESS_CHECK_TIMEOUT_SECONDS, so
# /readyz answers within a second whatever hangs.
READINESS_CACHE_SECONDS = env.float("READINESS_CACHE_SECONDS", default=1.0)
READINESS_CHECK_TIMEOUT_SECONDS = env.float("READINESS_CHECK_TIMEOUT_SECONDS", default=0.8)
if not 0 <= READINESS_CACHE_SECONDS <= 1:
    raise ImproperlyConfigured("READINESS_CACHE_SECONDS must be between 0 and 1.")
if not 0 < READINESS_CHECK_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("READINESS_CHECK_TIMEOUT_SECONDS must be above 0 and below 1.")
# /metrics (nexus_graphql.metrics) answers `Authorization: Bearer <METRICS_TOKEN>`, or a
# caller connecting from METRICS_ALLOWED_NETWORKS (CIDRs) without a proxy in between.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters.")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
try:
    [ipaddress.ip_network(network.strip(), strict=False) for network in METRICS_ALLOWED_NETWORKS]
except ValueError as _error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {_error}") from None
# Operation names are client input: besides docs/operations' own, only these become labels.
METRICS_OPERATION_NAMES = env.list("METRICS_OPERATION_NAMES", default=[])

# Background jobs (nexus_graphql.celery, hub.tasks) on RabbitMQ. Without a broker they
# run in-process once the request's transaction commits, so nothing else is needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"  # never a stray connection to Celery's default broker
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="nexus")
CELERY_TASK_IGNORE_RESULT = True
# Acknowledged after the task ran: a task of a worker that died is delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A request that queues a task waits at most about this long for a broker that is down or
# silent (nexus_graphql.celery.publish; measured in tests/ops/test_publish_bound.py). One
# immediate retry reconnects a pooled connection the broker closed; a refused connection
# fails at once. Emails are in the outbox already: a failed publish only delays them.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=0.5)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING below
CELERY_TIMEZONE = "UTC"

# Email (hub.services.notifications): printed to the console unless configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nexus <noreply@nexus.localhost>")
# The outbox (hub.services.notifications). Every copy of an email carries the Message-ID
# <kind.key@EMAIL_MESSAGE_ID_DOMAIN>. A pending email its task did not send is sent by the
# sweep (Celery beat, every minute) once EMAIL_RETRY_SECONDS old; each failed try doubles
# that wait, up to an hour, and after EMAIL_MAX_ATTEMPTS tries the email is failed.
EMAIL_MESSAGE_ID_DOMAIN = env.str(
    "EMAIL_MESSAGE_ID_DOMAIN", default=DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ")
)
EMAIL_RETRY_SECONDS = env.float("EMAIL_RETRY_SECONDS", default=60.0)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=15)
# How hub/ queues a task after a commit: the project's bounded, outage-logged publish, so
# hub/ imports nothing of the project.
EMAIL_TASK_PUBLISHER = "nexus_graphql.celery.publish"
if not EMAIL_MESSAGE_ID_DOMAIN or EMAIL_RETRY_SECONDS <= 0 or EMAIL_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "EMAIL_MESSAGE_ID_DOMAIN must be set, EMAIL_RETRY_SECONDS above 0, EMAIL_MAX_ATTEMPTS >= 1."
    )
# Who gets the weekly digest (hub.services.reports); empty: every moderator with an email.
HUB_DIGEST_RECIPIENTS = env.list("HUB_DIGEST_RECIPIENTS", default=[])

# Logs: one JSON object a line in production, readable text in development; each
# line carries the request id (nexus_graphql.request_id).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "nexus_graphql.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "nexus_graphql.logging_json.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The content filter every submission passes (hub.services.rules.Checks.content).
HUB_CONTENT_FILTER = {
    "BANNED_WORDS": env.list(
        "HUB_BANNED_WORDS", default=["viagra", "casino bonus", "free money", "crypto giveaway"]
    ),
    "MAX_LINKS": env.int("HUB_MAX_LINKS", default=8),
}

# Subscriptions (nexus_graphql.subscriptions): the channel layer carries hub events between
# processes; Redis when REDIS_URL is set (CHANNEL_REDIS_URL for a db of its own), else an
# in-process layer, so `make run` serves subscriptions with nothing installed.
CHANNEL_REDIS_URL = env.str("CHANNEL_REDIS_URL", default=REDIS_URL)
if CHANNEL_REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # Socket timeouts above the layer's 5 s blocking receive, so a loaded
                # host reads slowly rather than failing sockets with 1011.
                "hosts": [
                    {
                        "address": CHANNEL_REDIS_URL,
                        "socket_timeout": env.float("CHANNEL_SOCKET_TIMEOUT_SECONDS", default=30),
                        "socket_connect_timeout": 5,
                    }
                ],
                "prefix": env.str("CHANNEL_PREFIX", default="nexus-ws"),
                # Sized for a loaded host: a subscriber's membership outlives slow sends.
                "group_expiry": 86_400,
                "capacity": env.int("CHANNEL_CAPACITY", default=1_000),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Seconds a client has to send connection_init (then close 4408).
GRAPHQL_WS_INIT_TIMEOUT_SECONDS = env.float("GRAPHQL_WS_INIT_TIMEOUT_SECONDS", default=10.0)
GRAPHQL_WS_MAX_SUBSCRIPTIONS = env.int("GRAPHQL_WS_MAX_SUBSCRIPTIONS", default=20)
# Open sockets per client address, per server process.
GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS = env.int(
    "GRAPHQL_WS_MAX_CONNECTIONS_PER_ADDRESS", default=300
)
# Bound on a subscription's channel-layer calls (join, leave a group): a clean error.
GRAPHQL_WS_LAYER_TIMEOUT_SECONDS = env.float("GRAPHQL_WS_LAYER_TIMEOUT_SECONDS", default=3.0)
# Each socket joins its groups again this often, so memberships the layer lost (Redis
# restarted empty or flushed, a group past its expiry) come back within one period.
GRAPHQL_WS_GROUP_REFRESH_SECONDS = env.float("GRAPHQL_WS_GROUP_REFRESH_SECONDS", default=30.0)
# Bound on publishing one event, paid by the mutation that caused it (nexus_graphql.events).
GRAPHQL_WS_PUBLISH_TIMEOUT_SECONDS = env.float("GRAPHQL_WS_PUBLISH_TIMEOUT_SECONDS", default=0.5)
