"""Test override: the real PostgreSQL on 127.0.0.1 unless DATABASE_URL says otherwise."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dispatch")
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from dispatch.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = False
# Tests change channels between requests and expect the next request to see it.
INTAKE_CHANNEL_CACHE_SECONDS = 0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# whitenoise warns about a missing STATIC_ROOT on every request; tests serve no collected files.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The test client speaks plain http; the secure defaults have their own tests.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# The trail refuses TRUNCATE unless the session allows it (tickets.core.append_only); Django
# empties the tables with TRUNCATE between transactional tests.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (  # noqa: F405
        "-c tickets.allow_truncate=on")
