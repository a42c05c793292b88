"""Test settings: fast hashing, in-process tasks, per-process caches. DATABASE_URL picks the database."""

import os
import tempfile

os.environ.setdefault("QIANCUN_SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = os.environ.get("QIANCUN_TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="qiancun-test-media-")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["*"]
QIANCUN_PERSONAL_DATA_KEY = "test-only-personal-data-key"
# Many tests post to the login page from one address within a minute; the rate-limit tests lower these.
QIANCUN_RATE_LIMITS = {"login": "10000/m", "farmer": "10000/m"}
QIANCUN_DEMO_DATA_ALLOWED = True
# Test databases only: `flush` (between transactional tests) may empty the append-only audit log and
# ledger, whose triggers refuse it everywhere else (qiancun.core.append_only).
QIANCUN_FLUSH_APPEND_ONLY_TABLES = True
# The password history's own hasher (200,000 PBKDF2 rounds) would cost every test user a fifth of a second.
DPV_DEFAULT_HISTORY_HASHER = "qiancun.accounts.tests.hashers.FastHistoryHasher"
