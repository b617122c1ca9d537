"""Settings for pytest. The tests need real PostgreSQL and Redis: tests/conftest.py stops the run when
DATABASE_URL or REDIS_URL is missing (this module itself must import without them, for mypy's plugin)."""

from __future__ import annotations

from metamask_service.settings.base import *  # noqa: F403
from metamask_service.settings.base import SIMPLE_JWT

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789"  # noqa: S105
JWT_SIGNING_KEY = "test-only-jwt-signing-key-0123456789abcdef"
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY}
# Two fixed keys so rotation can be tested; the first encrypts.
FIELD_ENCRYPTION_KEYS = [
    "MCHPIcfFbsP3kvQ6XwgyyQqB1qwVA3_ocVrvMxvuh2Y=",
    "Oy_Kns-HgGqPD3tBRx1E_ylmHFf5EOA9ugWdwT4ADyQ=",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user creation in tests
# The test machine has no internet: MetaMask's security-alert and simulation calls only add retries there.
METAMASK_DISABLE_NETWORK_FEATURES = True
# Tests talk to loopback only; MetaMask's own lookups then fail at once instead of waiting on DNS.
BROWSER_LOOPBACK_ONLY = True
# Each health test sees its own state; tests/api/test_health.py turns the cache on where it is the subject.
HEALTH_CACHE_SECONDS = 0.0
