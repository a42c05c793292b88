"""Production: PostgreSQL, HTTPS behind the intranet proxy, every secret from the environment."""

from .base import *  # noqa: F403
from .base import env, env_bool

DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# SM4 key for households' ID numbers and phones (personal data at rest); never in the repository.
QIANCUN_PERSONAL_DATA_KEY = env("QIANCUN_PERSONAL_DATA_KEY")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("QIANCUN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("QIANCUN_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False  # intranet hosts are not on the public preload list

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}

# Redis holds the cache and the rate-limit counters: it increments atomically, so a burst of parallel
# requests from several web workers or nodes cannot slip past a limit (the embedded file cache can).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("QIANCUN_REDIS_URL")}}
