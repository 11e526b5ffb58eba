"""One settings module, read from the environment (see README, "Environment variables")."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gonghui.core.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("GONGHUI_VAR_DIR", str(BASE_DIR / "var")))

GONGHUI_ENV = envstr("GONGHUI_ENV", "demo")
if GONGHUI_ENV not in {"demo", "production"}:
    raise ImproperlyConfigured(f"GONGHUI_ENV={GONGHUI_ENV!r}: use 'demo' or 'production'")
PRODUCTION = GONGHUI_ENV == "production"

# Keys for the local demo only; production refuses to start with any of them.
DEMO_SECRET_KEY = "demo-only-secret-key-4b1d0c7e9a2f6d8c3e5a7b9d1f3a5c7e9b2d4f6a8c0e2b4d"
DEMO_FIELD_ENCRYPTION_KEY = "ZGVtby1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI="
DEMO_BLIND_INDEX_KEY = "demo-only-blind-index-key-6f1e2d3c4b5a69788796a5b4c3d2e1f0"


def _is_aes_key(encoded: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(encoded)) == 32
    except ValueError:
        return False


DEBUG = envbool("DEBUG", not PRODUCTION)
SECRET_KEY = envstr("SECRET_KEY", "" if PRODUCTION else DEMO_SECRET_KEY)
# First key encrypts; all keys decrypt, so a new key can be put first and data re-encrypted.
FIELD_ENCRYPTION_KEYS = envlist(
    "FIELD_ENCRYPTION_KEYS", [] if PRODUCTION else [DEMO_FIELD_ENCRYPTION_KEY]
)
BLIND_INDEX_KEY = envstr("BLIND_INDEX_KEY", "" if PRODUCTION else DEMO_BLIND_INDEX_KEY)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DEBUG must be off")
    if not SECRET_KEY or SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to 50+ random characters (not the demo key)")
    if not FIELD_ENCRYPTION_KEYS or DEMO_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
        problems.append("FIELD_ENCRYPTION_KEYS must be set (not the demo key)")
    elif not all(_is_aes_key(key) for key in FIELD_ENCRYPTION_KEYS):
        problems.append("each FIELD_ENCRYPTION_KEYS entry must be 32 random bytes, urlsafe base64")
    if not BLIND_INDEX_KEY or BLIND_INDEX_KEY == DEMO_BLIND_INDEX_KEY or len(BLIND_INDEX_KEY) < 32:
        problems.append("BLIND_INDEX_KEY must be set to 32+ random characters (not the demo key)")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the site's host(s)")
    if problems:
        raise ImproperlyConfigured("GONGHUI_ENV=production: " + "; ".join(problems))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gonghui.core",
    "gonghui.orgs",
    "gonghui.accounts",
    "gonghui.audit",
    "gonghui.jobs",
    "gonghui.members",
    "gonghui.joining",
    "gonghui.merchants",
    "gonghui.cards",
    "gonghui.pos",
    "gonghui.mutualaid",
    "gonghui.hardship",
    "gonghui.warmth",
    "gonghui.modelworkers",
    "gonghui.followup",
    "gonghui.infowork",
    "gonghui.assessment",
    "gonghui.benchmarking",
    "gonghui.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gonghui.core.middleware.ContentSecurityPolicyMiddleware",
    "gonghui.audit.context.AuditOriginMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gonghui.accounts.middleware.StaffIdleTimeoutMiddleware",
    "gonghui.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gonghui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.accounts.context_processors.workspace",
            ],
        },
    }
]

# Database: SQLite in WAL mode by default, PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASE_URL = envstr("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # psycopg prepares a statement on its fifth run on a connection, for the server-binding
    # cursors of gonghui.core.sql (the POS till's statements); the ORM binds on the client
    # and is never prepared. Behind a transaction-mode pooler, use PgBouncer ≥ 1.21 with
    # max_prepared_statements set.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # A path is fine for SQLite; the stubs' TypedDict only says str.
            "NAME": VAR_DIR / "gonghui.sqlite3",  # type: ignore[typeddict-item]
            "OPTIONS": {
                # IMMEDIATE: a transaction takes the write lock when it starts, so two writers
                # queue instead of one failing with "database is locked" after reading.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # Temporary storage stays in files (the OS caches them): large sorts spill
                # there, and SQLite's in-memory spill files sort a million index keys at half
                # the speed.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; "
                    "PRAGMA cache_size=-131072;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "gonghui.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"

# Lockout: 5 failures lock the account and, separately, the source address for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.views.locked_out"
AXES_IPWARE_PROXY_COUNT = envint("PROXY_COUNT", 0)
# Lockout and audit log read the client address the same way (honouring PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "gonghui.audit.context.client_ip"
AXES_VERBOSE = False

STAFF_IDLE_TIMEOUT_SECONDS = envint("STAFF_IDLE_TIMEOUT_SECONDS", 15 * 60)
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "gonghui")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gonghui" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploaded rosters and generated exports hold personal data: deleted this long after their job.
# Retention periods (days) for `manage.py purge_personal_data`.
JOB_FILE_RETENTION_DAYS = envint("JOB_FILE_RETENTION_DAYS", 30)
MEMBER_LEFT_RETENTION_DAYS = envint("MEMBER_LEFT_RETENTION_DAYS", 5 * 365)
JOIN_APPLICATION_RETENTION_DAYS = envint("JOIN_APPLICATION_RETENTION_DAYS", 365)
HARDSHIP_CLOSED_RETENTION_DAYS = envint("HARDSHIP_CLOSED_RETENTION_DAYS", 5 * 365)
MUTUALAID_CLAIM_RETENTION_DAYS = envint("MUTUALAID_CLAIM_RETENTION_DAYS", 5 * 365)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers: always on; HTTPS-only ones in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}

GONGHUI_SITE_NAME = _("gonghui")
