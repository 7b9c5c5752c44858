"""Nexus settings, read from the environment.

Defaults are for development on embedded parts (SQLite, local-memory cache);
set DATABASE_URL / REDIS_URL to switch to the real services. With DEBUG off
the defaults turn safe: SECRET_KEY becomes required and hosts are explicit.
"""

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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "graphene_django",
    "graphql_jwt.refresh_token.apps.RefreshTokenConfig",
    "hub.apps.HubConfig",
    "nexus_graphql.apps.NexusConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # A cache outage must degrade to uncached answers, never to errors.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="nexus"),
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "nexus",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "graphql_jwt.backends.JSONWebTokenBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

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
}

# The GraphQL endpoint (nexus_graphql.views).
GRAPHQL_MAX_BODY_BYTES = env.int("GRAPHQL_MAX_BODY_BYTES", default=100_000)
GRAPHQL_DOCUMENT_CACHE_SIZE = env.int("GRAPHQL_DOCUMENT_CACHE_SIZE", default=256)
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=True)
GRAPHQL_QUERY_LIMITS = {
    "max_depth": env.int("GRAPHQL_MAX_DEPTH", default=10),
    "max_cost": env.int("GRAPHQL_MAX_COST", default=500_000),
    "max_aliases": env.int("GRAPHQL_MAX_ALIASES", default=30),
    "max_fields": env.int("GRAPHQL_MAX_FIELDS", default=500),
}
# Whole responses of anonymous read queries, invalidated on every write.
GRAPHQL_RESPONSE_CACHE = env.bool("GRAPHQL_RESPONSE_CACHE", default=True)
GRAPHQL_RESPONSE_CACHE_SECONDS = env.int("GRAPHQL_RESPONSE_CACHE_SECONDS", default=300)
# Bodies each worker also keeps in memory (keys carry the generation: never stale).
GRAPHQL_RESPONSE_CACHE_LOCAL_BYTES = env.int(
    "GRAPHQL_RESPONSE_CACHE_LOCAL_BYTES", default=32 * 1024 * 1024
)

# Selection-aware prefetching in hub selectors, and the lean execution of plain fields
# (nexus_graphql.execution): off only for the benchmark's naive baseline.
HUB_PREFETCH = env.bool("HUB_PREFETCH", default=True)
GRAPHQL_LEAN_EXECUTION = env.bool("GRAPHQL_LEAN_EXECUTION", default=True)

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
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
