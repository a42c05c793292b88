"""Settings shared by every deployment. Secrets and hosts come from the environment.

`demo.py` and `test.py` add safe defaults for local use; `production.py` demands them.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

SRC_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("QIANCUN_VAR_DIR", REPO_DIR / "var"))


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"环境变量 {name} 未设置 (environment variable {name} is required)")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


SECRET_KEY = env("QIANCUN_SECRET_KEY")
DEBUG = env_bool("QIANCUN_DEBUG", False)
ALLOWED_HOSTS = [h for h in env("QIANCUN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("QIANCUN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    # Password history (the last 5 cannot be reused): accounts.validators.PasswordHistoryValidator.
    "django_password_validators",
    "django_password_validators.password_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "qiancun.core",
    "qiancun.regions",
    "qiancun.accounts",
    "qiancun.standards",
    "qiancun.campaigns",
    "qiancun.inspections",
    "qiancun.rectification",
    "qiancun.participation",
    # After qiancun.core, whose `db_worker` (the same worker, closing a dead worker's jobs first) wins.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "qiancun.core.middleware.SecurityHeadersMiddleware",
    "qiancun.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qiancun.core.middleware.AuditContextMiddleware",
    "qiancun.core.middleware.OutOfRangeIdMiddleware",
    "qiancun.core.middleware.InputGuardMiddleware",
    # Second factor, forced or expired password change: nothing else opens until they are done.
    "qiancun.accounts.middleware.AccountGateMiddleware",
    # Axes must be last: it answers locked-out requests before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qiancun.urls"
WSGI_APPLICATION = "qiancun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qiancun.core.context_processors.navigation",
            ],
        },
    }
]

# SQLite (WAL) is the embedded default; PostgreSQL 15 in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qiancun.sqlite3'}"),
        conn_max_age=int(os.environ.get("QIANCUN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # busy_timeout first: the journal_mode pragma itself may have to wait for another writer.
        "init_command": (
            "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out account is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's rules with Chinese messages whatever Django's catalogue says (accounts/validators.py).
    {"NAME": "qiancun.accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "qiancun.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "qiancun.accounts.validators.CommonPasswordValidator"},
    {"NAME": "qiancun.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "qiancun.accounts.validators.WeakPatternValidator"},
    {"NAME": "qiancun.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"last_passwords": 5}},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保2.0 level 3: 5 failed logins lock the account for 30 minutes from that address; the account as a
# whole locks after QIANCUN_LOGIN_ACCOUNT_FAILURE_LIMIT failures from all addresses together, so no one
# locks out the province administrator with five requests (accounts/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "qiancun.accounts.lockout.AccountAndAddressLockoutHandler"
QIANCUN_LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("QIANCUN_LOGIN_ACCOUNT_FAILURE_LIMIT", "20"))
# A failure refused because its address is already locked is not counted: one address adds at most
# AXES_FAILURE_LIMIT to the account-wide total, so locking the whole account needs several addresses.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("QIANCUN_PROXY_COUNT", "0")) or None

# Idle timeout: a session expires 30 minutes after its last request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
# Django's database sessions; a page is not refused when only the renewal of an unchanged session
# fails on a locked database (core/sessions.py).
SESSION_ENGINE = "qiancun.core.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A failed CSRF check gets a Chinese page (Django's own is English, for developers).
CSRF_FAILURE_VIEW = "qiancun.core.csrf.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The inspection form takes the position and photos on the phone; nothing else may ask for devices.
PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"

# Content Security Policy (django-csp 4): no inline scripts and no outside hosts anywhere (intranet).
# Behaviour hangs on data-* attributes in static files; json_script blocks are data, never executed.
# Styles: <style> elements only from files (style-src-elem), but style="width: 42%" attributes are
# allowed (style-src-attr) because the progress and coverage bars are drawn with them. Browsers
# without CSP level 3 fall back to style-src, which therefore also carries 'unsafe-inline'.
# img-src data: is for the QR codes (inline SVG) and Bootstrap's icons in CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# Second factor (TOTP, django-otp): required for these roles (the three administrators of 三员分立),
# optional for everyone else.
QIANCUN_OTP_REQUIRED_ROLES = {"admin", "security_admin", "auditor"}
OTP_TOTP_ISSUER = "千村示范创建管理平台"
OTP_STATIC_THROTTLE_FACTOR = 1
QIANCUN_RECOVERY_CODE_COUNT = 10

# Password expiry in days per role (等保: change passwords periodically); a role not named never expires.
QIANCUN_PASSWORD_MAX_AGE_DAYS = dict.fromkeys(
    ("admin", "security_admin", "auditor"), int(os.environ.get("QIANCUN_ADMIN_PASSWORD_MAX_AGE_DAYS", "90"))
)

# API tokens: a token lives this many days unless its owner asks for fewer, and never longer than the maximum.
QIANCUN_API_TOKEN_DEFAULT_DAYS = int(os.environ.get("QIANCUN_API_TOKEN_DEFAULT_DAYS", "90"))
QIANCUN_API_TOKEN_MAX_DAYS = int(os.environ.get("QIANCUN_API_TOKEN_MAX_DAYS", "365"))

# Per-address rate limits (django-ratelimit on the default cache), "count/period" with s, m, h or d.
# The file cache of the embedded setup increments without a lock, so under a burst of parallel
# requests a few may slip past; production requires Redis (settings/production.py), which counts atomically.
QIANCUN_RATE_LIMITS = {"login": "20/m", "farmer": "60/m"}
RATELIMIT_IP_META_KEY = "qiancun.core.ratelimit.client_ip"

# `seed_demo` creates accounts whose password is public: only the demo, test and bench settings allow it.
QIANCUN_DEMO_DATA_ALLOWED = False

# Audit entries are kept at least this long; `manage.py purge_audit` refuses anything younger.
QIANCUN_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("QIANCUN_AUDIT_RETENTION_DAYS", "180")))

# A farmer's access link (QR code) works this many days after it is issued or renewed.
QIANCUN_FARMER_LINK_DAYS = max(1, int(os.environ.get("QIANCUN_FARMER_LINK_DAYS", "365")))

LANGUAGE_CODE = "zh-hans"
# The platform speaks Chinese only: a browser asking for English must not get Django's English
# messages (password rules, form errors) through LocaleMiddleware.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm (package-lock.json) and are served from node_modules.
NODE_MODULES = REPO_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    # County boundaries for the village map (data/geo/README.md says where they come from).
    ("geo", REPO_DIR / "data" / "geo"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("QIANCUN_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Uploaded spreadsheets (households, nominations, indicators) are refused before they are read when they
# unpack to more than this, hold a sheet of more cells, or have more parts (core/tabular.py;
# docs/operations.md, "Import limits").
QIANCUN_IMPORT_MAX_UNCOMPRESSED = int(os.environ.get("QIANCUN_IMPORT_MAX_UNCOMPRESSED_MB", "200")) * 1024 * 1024
QIANCUN_IMPORT_MAX_CELLS = int(os.environ.get("QIANCUN_IMPORT_MAX_CELLS", "3000000"))
QIANCUN_IMPORT_MAX_ENTRIES = 1000

# Cross-process cache: job progress lives here (a file cache needs no service; use Redis in production).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

# Background jobs: Django's task API (django-tasks backport). The database backend is the
# embedded default (worker: `manage.py db_worker`); see docs/operations.md for RQ on Redis.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A farmer's link token never reaches the log (a 404 or 410 warning names the path).
    "filters": {"farmer_tokens": {"()": "qiancun.participation.log_redaction.RedactFarmerTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["farmer_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("QIANCUN_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
