"""oglabs settings: one module, driven by environment variables.

Every setting that differs between a laptop, CI and production is read from the
environment; the defaults are safe for local development only.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
APP_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("OGLABS_INSECURE_DEV_KEY", True):
        raise RuntimeError("DJANGO_SECRET_KEY must be set in production.")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105  # development only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("OGLABS_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    # domain apps
    "oglabs.core",
    "oglabs.accounts",
    "oglabs.places",
    "oglabs.calls",
    "oglabs.proposals",
    "oglabs.support",
    "oglabs.reviews",
    "oglabs.selection",
    "oglabs.transparency",
    "oglabs.monitoring",
    "oglabs.audit",
    "oglabs.mail",
    # interface apps
    "oglabs.public",
    "oglabs.portal",
    "oglabs.backoffice",
    "oglabs.api",
    "oglabs.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "oglabs.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "oglabs.urls"
WSGI_APPLICATION = "oglabs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [APP_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oglabs.public.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL in production via DATABASE_URL.
# SQLite runs in WAL mode with IMMEDIATE transactions: Django's default DEFERRED transactions
# upgrade read locks to write locks and fail concurrent writers with "database is locked".
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'oglabs.sqlite3'}")
# Persistent connections: each server thread keeps its connection for this many seconds
# (0: a new one per request). Opening one costs a round of authentication on PostgreSQL and
# the PRAGMAs below on SQLite, on every request otherwise. Health checks test a kept
# connection before its first use in a request (one "SELECT 1" on PostgreSQL; free on SQLite),
# so a database restart costs no failed request.
DB_CONN_MAX_AGE = int(os.environ.get("OGLABS_DB_CONN_MAX_AGE", "60"))
DB_CONN_HEALTH_CHECKS = env_bool("OGLABS_DB_CONN_HEALTH_CHECKS", True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=DB_CONN_HEALTH_CHECKS
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend plus a fair queue for writers (ADR 0001).
    DATABASES["default"]["ENGINE"] = "oglabs.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file (not Django's shared in-memory database) so that WAL, IMMEDIATE transactions
    # and concurrent connections behave as in production; one file per test process.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("OGLABS_TEST_SQLITE_NAME")
        or str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "OGLABS_DB_PREPARED_STATEMENTS", True
):
    # Server-side parameter binding lets psycopg prepare a statement the fifth time a connection
    # runs it, so PostgreSQL parses and plans the hot path's statements once per connection and
    # the app does not quote values into the SQL (docs/performance.md: the deadline rush). Off
    # with OGLABS_DB_PREPARED_STATEMENTS=0 behind a transaction-pooling proxy that cannot carry
    # prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("OGLABS_FAST_PASSWORD_HASHER", False):  # tests only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "public:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[oglabs] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_ADAPTER = "oglabs.accounts.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "oglabs"
# Accept the codes of the neighbouring 30-second periods: clock drift, and a code typed as it rolls over.
MFA_TOTP_TOLERANCE = 1

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Caches (shared rate limits need a shared cache in production) ---------------------------
CACHES = {
    "default": {
        "BACKEND": os.environ.get("OGLABS_CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": os.environ.get("OGLABS_CACHE_LOCATION", "oglabs_cache"),
    }
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [APP_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [APP_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("OGLABS_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
# Uploads live outside the static root and are served only through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("OGLABS_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Largest accepted upload (letters of intent, attachments: PDF only); 10 MiB unless set.
OGLABS_MAX_UPLOAD_BYTES = int(os.environ.get("OGLABS_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
WHITENOISE_USE_FINDERS = DEBUG

# --- Content-Security-Policy: every asset is our own ----------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # KERN UX draws its icons as CSS masks with data: SVGs.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Operator of the site (Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit) ----
# A deployment fills these in; the defaults are visible placeholders.
OGLABS_OPERATOR_NAME = os.environ.get("OGLABS_OPERATOR_NAME", "Musterbehörde (Platzhalter)")
OGLABS_OPERATOR_STREET = os.environ.get("OGLABS_OPERATOR_STREET", "Musterstraße 1")
OGLABS_OPERATOR_CITY = os.environ.get("OGLABS_OPERATOR_CITY", "12345 Musterstadt")
OGLABS_OPERATOR_EMAIL = os.environ.get("OGLABS_OPERATOR_EMAIL", "kontakt@oglabs.example")
# The funder's identifier prefix in the 360Giving export (a placeholder until one is registered).
OGLABS_360GIVING_PREFIX = os.environ.get("OGLABS_360GIVING_PREFIX", "360G-oglabs")
OGLABS_OPERATOR_PHONE = os.environ.get("OGLABS_OPERATOR_PHONE", "")
OGLABS_OPERATOR_REPRESENTATIVE = os.environ.get("OGLABS_OPERATOR_REPRESENTATIVE", "")
OGLABS_OPERATOR_DPO_EMAIL = os.environ.get("OGLABS_OPERATOR_DPO_EMAIL", "datenschutz@oglabs.example")
OGLABS_OPERATOR_ACCESSIBILITY_EMAIL = os.environ.get(
    "OGLABS_OPERATOR_ACCESSIBILITY_EMAIL", "barrierefreiheit@oglabs.example"
)
# ISO date of the last review behind the Erklärung zur Barrierefreiheit.
OGLABS_OPERATOR_ACCESSIBILITY_REVIEWED_ON = os.environ.get(
    "OGLABS_OPERATOR_ACCESSIBILITY_REVIEWED_ON", "2026-11-26"
)

# --- Mail and background tasks ---------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("OGLABS_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("OGLABS_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("OGLABS_EMAIL_PORT", "1025"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("OGLABS_FROM_EMAIL", "oglabs <noreply@oglabs.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
TASKS = {
    "default": {
        "BACKEND": os.environ.get("OGLABS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OGLABS_LOG_LEVEL", "WARNING")},
}
