"""Settings for every environment; test.py and production.py only override.

Without DATABASE_URL / REDIS_URL this is the embedded mode used by ``make demo``: SQLite under var/, a
filesystem Celery broker under var/broker and a database-table cache, all shared between the web process
and the worker process without any server.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from cryptography.fernet import Fernet

from metamask_service.settings.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("VAR_DIR", str(BASE_DIR / "var")))


def _dev_secret(name: str, make: Any) -> str:
    """A per-checkout secret kept under var/ so the embedded demo survives restarts without a committed key.

    Production never gets here: production.py demands the real variables.
    """
    path = VAR_DIR / "secrets" / name
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with path.open(
            "x", encoding="utf-8"
        ) as handle:  # "x": two processes starting at once can't both write
            handle.write(make())
        path.chmod(0o600)
    except FileExistsError:
        pass
    return path.read_text(encoding="utf-8").strip()


# --- Django core ----------------------------------------------------------------------------------------
SECRET_KEY = env.str("DJANGO_SECRET_KEY") or _dev_secret(
    "django_secret_key", lambda: secrets.token_urlsafe(50)
)
DEBUG = env.bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver leaves /static/ to WhiteNoise, with DEBUG on or off
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served locally, not from a CDN
    "django_prometheus",
    "django_ratelimit",
    "wallets.apps.WalletsConfig",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # /static/ answered before sessions, auth and logging
    "metamask_service.logging.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "metamask_service.urls"
WSGI_APPLICATION = "metamask_service.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static")))
# WhiteNoise serves /static/ from the app process in every mode. Embedded/dev (runserver, `make demo`,
# tests): straight from the apps' static dirs through the staticfiles finders, looked up per request, so
# nothing has to be collected first (autorefresh is WhiteNoise's development mode: production.py turns it
# off and serves only the collected, hashed STATIC_ROOT).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env.int("DB_CONN_MAX_AGE", 60),
        # A persistent connection is pinged before reuse, so a database restart costs one query, not an error.
        conn_health_checks=True,
    )
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db["ENGINE"] = "django_prometheus.db.backends.postgresql"
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", 5))
    DATABASES = {"default": _db}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django_prometheus.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                # web + worker processes write the same file: take the write lock at BEGIN, wait instead of
                # failing, and let readers proceed during writes (WAL).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
SLOW_QUERY_MS = env.int("SLOW_QUERY_MS", 200)

# --- Cache, sessions ------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "mm"),
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # A database table is shared by every process on this machine; the subclass makes incr() atomic, which
    # django-ratelimit needs (its check rejects the stock DatabaseCache for exactly that reason).
    CACHES = {
        "default": {
            "BACKEND": "metamask_service.cache.AtomicDatabaseCache",
            "LOCATION": "mm_cache",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- DRF, JWT, OpenAPI ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["wallets.api.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "wallets.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY") or _dev_secret(
    "jwt_signing_key", lambda: secrets.token_urlsafe(50)
)
SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", 5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_REFRESH_TOKEN_MINUTES", 24 * 60)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MetaMask service API",
    "DESCRIPTION": "Drives the real MetaMask extension in headless Chromium for API callers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Rate limits (django-ratelimit, on the shared default cache) ----------------------------------------
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_DEFAULT = env.str("RATELIMIT_DEFAULT", "10/m")
RATELIMIT_WALLET_CONNECT = env.str("RATELIMIT_WALLET_CONNECT", "5/m")
RATELIMIT_TRANSACTION_OPERATIONS = env.str("RATELIMIT_TRANSACTION_OPERATIONS", "5/m")

# --- Celery ---------------------------------------------------------------------------------------------
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 300)
BROKER_DIR = Path(env.str("BROKER_DIR", str(VAR_DIR / "broker")))
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", REDIS_URL)
    # A task unacked for longer than this is redelivered; it must outlive the hard limit or a running
    # browser action would be started a second time.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + env.int("CELERY_VISIBILITY_MARGIN", 300),
    }
else:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "filesystem://")
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # kombu's default is ./control, relative to whatever directory the process happened to start in.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + env.int("CELERY_VISIBILITY_MARGIN", 300),
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # outcomes live on the rows, not in a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "browser"
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_SEND_TASK_EVENTS = env.bool("CELERY_WORKER_SEND_TASK_EVENTS", False)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = {
    "sessions-cleanup": {
        "task": "wallets.sessions_cleanup",
        "schedule": float(env.int("SESSIONS_CLEANUP_INTERVAL_SECONDS", 60)),
        "options": {"queue": CELERY_TASK_DEFAULT_QUEUE, "expires": 55},
    },
    # `unknown` transactions settled from the chain (wallets/execution/transactions.py).
    "transactions-reconcile": {
        "task": "wallets.transactions_reconcile",
        "schedule": float(env.int("TRANSACTIONS_RECONCILE_INTERVAL_SECONDS", 30)),
        "options": {"queue": CELERY_TASK_DEFAULT_QUEUE, "expires": 25},
    },
}

# --- Events out (Kafka) ---------------------------------------------------------------------------------
# Unset: no outbox rows are written and nothing is published. Set: every operation status change and
# security event is written to an outbox in its own transaction and published by `manage.py publish_events`
# (wallets/outbox.py), at least once, in order per session.
KAFKA_BOOTSTRAP_SERVERS = env.str("KAFKA_BOOTSTRAP_SERVERS", "")
KAFKA_TOPIC = env.str("KAFKA_TOPIC", "metamask-service.events")
KAFKA_SECURITY_PROTOCOL = env.str("KAFKA_SECURITY_PROTOCOL", "")  # e.g. SASL_SSL; empty: librdkafka's own
KAFKA_SASL_MECHANISM = env.str("KAFKA_SASL_MECHANISM", "")
KAFKA_SASL_USERNAME = env.str("KAFKA_SASL_USERNAME", "")
KAFKA_SASL_PASSWORD = env.str("KAFKA_SASL_PASSWORD", "")
KAFKA_DELIVERY_TIMEOUT_SECONDS = env.float("KAFKA_DELIVERY_TIMEOUT_SECONDS", 30.0)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", 7)  # published rows older than this are deleted

# --- Browser / MetaMask ---------------------------------------------------------------------------------
METAMASK_EXTENSION_PATH = env.str("METAMASK_EXTENSION_PATH", "/opt/metamask")
CHROMIUM_BINARY = env.str("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER_BINARY = env.str("CHROMEDRIVER_BINARY", "/usr/bin/chromedriver")
BROWSER_USE_UNDETECTED = env.bool("BROWSER_USE_UNDETECTED", True)
BROWSER_HEADLESS = env.bool("BROWSER_HEADLESS", True)
# Appended to automation.config.DEFAULT_FLAGS (headless, no sandbox/GPU/shm, no background networking, window
# and screen size for MetaMask's popup geometry). The default adds the operators' guide's memory flags in the
# form Chromium understands; the guide's --disable-extensions and --disable-javascript are never used (they
# stop MetaMask), nor --disable-images (not a Chromium switch). Space separated: one flag may contain commas.
BROWSER_EXTRA_FLAGS = env.list(
    "BROWSER_EXTRA_FLAGS",
    ["--memory-pressure-off", "--disable-plugins", "--js-flags=--max-old-space-size=4096"],
    separator=" ",
)
BROWSER_PROFILES_DIR = Path(env.str("BROWSER_PROFILES_DIR", str(VAR_DIR / "profiles")))
ARTIFACTS_DIR = Path(env.str("ARTIFACTS_DIR", str(VAR_DIR / "artifacts")))
BROWSER_MAX_OPERATIONS = env.int("BROWSER_MAX_OPERATIONS", 10)
# A session's browser restarts (same profile, unlocked again) before its next action once its process tree's
# RSS sum passes this; 0 turns the check off. Measured peak of a full MetaMask flow: ~3 GB RSS sum.
BROWSER_MAX_RSS_MB = env.int("BROWSER_MAX_RSS_MB", 4096)
BROWSER_UI_TIMEOUT = env.float("BROWSER_UI_TIMEOUT", 30.0)
BROWSER_REQUEST_TIMEOUT = env.float("BROWSER_REQUEST_TIMEOUT", 120.0)
# docs/metamask.md section 7. Security alerts and transaction simulations protect users when MetaMask can
# reach its web APIs; offline they only add retries (seconds per transaction). So turning them off is a
# deliberate operator choice (test settings and the offline demo do), never the default.
METAMASK_DISABLE_NETWORK_FEATURES = env.bool("METAMASK_DISABLE_NETWORK_FEATURES", False)
METAMASK_DISABLE_BASIC_FUNCTIONALITY = env.bool("METAMASK_DISABLE_BASIC_FUNCTIONALITY", False)
# Browsers resolve no host name but loopback (automation/config.py). For closed loopback stacks only: a
# worker that opens real dApps and RPC endpoints needs name resolution.
BROWSER_LOOPBACK_ONLY = env.bool("BROWSER_LOOPBACK_ONLY", False)
SESSION_TTL_SECONDS = env.int("SESSION_TTL_SECONDS", 3600)
WORKER_HEARTBEAT_INTERVAL_SECONDS = env.int("WORKER_HEARTBEAT_INTERVAL_SECONDS", 10)
WORKER_HEARTBEAT_STALE_SECONDS = env.int("WORKER_HEARTBEAT_STALE_SECONDS", 30)
# GET /api/v1/health runs its checks at most once per this many seconds per process (0: on every call).
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", 1.0)
TX_RECEIPT_TIMEOUT_SECONDS = env.int("TX_RECEIPT_TIMEOUT_SECONDS", 120)
# Idempotency-Key (wallets/api/idempotency.py): how long keys are kept; how long a duplicate waits.
IDEMPOTENCY_KEY_TTL_SECONDS = env.int("IDEMPOTENCY_KEY_TTL_SECONDS", 86400)
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", 10.0)
# A request still pending this long after it was accepted (or last resent) gets its task sent again.
PENDING_REDISPATCH_SECONDS = env.int("PENDING_REDISPATCH_SECONDS", 120)

# --- Wallet secrets at rest -----------------------------------------------------------------------------
# Comma separated Fernet keys, newest first; older keys only decrypt until `rotate_wallet_keys` has run.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS") or [
    _dev_secret("field_encryption_key", lambda: Fernet.generate_key().decode())
]

# --- Logging --------------------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", "INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "metamask_service.logging.RequestContextFilter"},
        "scrub": {"()": "metamask_service.logging.SecretScrubFilter"},
    },
    "formatters": {"json": {"()": "metamask_service.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["context", "scrub"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO", "propagate": True},
        "celery": {"level": LOG_LEVEL, "propagate": True},
    },
}

# --- Metrics --------------------------------------------------------------------------------------------
# Prometheus scrapes one port per pod (8080 `/metrics`), served by metamask_service/metrics_server.py, not by
# django-prometheus's in-process listener (which would serve only the process that bound the port: one
# gunicorn worker, or a Celery main process whose pool child runs the tasks). Environment, read there:
#   PROMETHEUS_MULTIPROC_DIR   every process writes its samples here (an emptyDir in k8s). Must be in the
#                              environment before prometheus_client is imported. Unset = single-process
#                              mode: no exporter; /metrics below serves the answering process (dev, tests).
#   PROMETHEUS_METRICS_PORT    exporter port of the gunicorn master / Celery worker main process (8080; 0 =
#                              none). PROMETHEUS_METRICS_ADDRESS: 0.0.0.0 with production settings, else
#                              127.0.0.1.
# The app's /metrics route (urls.py) aggregates the same directory when the variable is set. Neither
# PROMETHEUS_METRICS_EXPORT_PORT nor _RANGE is set: django-prometheus must not open a listener itself.
PROMETHEUS_EXPORT_MIGRATIONS = False
