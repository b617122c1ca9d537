"""Production: refuses to start without its secrets; no development fallbacks."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from metamask_service.settings.env import env

# Checked before base is imported, which would otherwise fall back to development secrets under var/.
_SECRET_KEY = env.required("DJANGO_SECRET_KEY")
_JWT_SIGNING_KEY = env.required("JWT_SIGNING_KEY")
env.required("FIELD_ENCRYPTION_KEYS")
# Without them base falls back to a SQLite file and a filesystem broker inside the pod: each replica would
# keep its own state and queue, silently. A production process refuses instead.
env.required("DATABASE_URL")
env.required("REDIS_URL")
_FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
for _key in _FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        # The message names the position only: the value is a secret.
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS item {_FIELD_ENCRYPTION_KEYS.index(_key)} is not a Fernet key"
        ) from None

from metamask_service.settings.base import *  # noqa: E402, F403
from metamask_service.settings.base import SIMPLE_JWT  # noqa: E402

SECRET_KEY = _SECRET_KEY
JWT_SIGNING_KEY = _JWT_SIGNING_KEY
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": _JWT_SIGNING_KEY}
FIELD_ENCRYPTION_KEYS = _FIELD_ENCRYPTION_KEYS

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", False)  # TLS usually ends at the ingress
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_REFERRER_POLICY = "same-origin"

# Static files: `manage.py collectstatic --noinput` fills STATIC_ROOT before gunicorn starts (the API pod's
# init container, k8s/base/api.yaml); WhiteNoise serves that tree only: content-hashed names cached as
# immutable, precompressed copies. A template naming a file that was not collected fails instead of
# linking a 404.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
