"""Django settings for MSOIC Insight, read from the environment (see docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

from msoic.env import (
    ConfigError,
    ensure_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("MSOIC_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("MSOIC_DEBUG", default=False)
PRODUCTION = env_bool("MSOIC_PRODUCTION", default=False)

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
else:
    SECRET_KEY = env_str(
        "SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
    )

if PRODUCTION:
    # No default in production: the host names must be said, or the app refuses to start.
    ALLOWED_HOSTS = env_list("MSOIC_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ConfigError("MSOIC_ALLOWED_HOSTS is required when MSOIC_PRODUCTION is true")
else:
    ALLOWED_HOSTS = env_list(
        "MSOIC_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
CSRF_TRUSTED_ORIGINS = env_list("MSOIC_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "msoic.orgunits",
    "msoic.accounts",
    "msoic.audit",
    "msoic.catalogue",
    "msoic.collection",
    "msoic.metrics",
    "msoic.dashboards",
    "msoic.peerreview",
    "msoic.commissioning",
    "msoic.api",
    "msoic.assurance",
    "msoic.cases",
    "msoic.support",
    "msoic.tasking",
    "msoic.operations",
    "msoic.terminus",
    "msoic.capability",
    "msoic.documents",
    "msoic.partnerships",
    "msoic.cps",
    "msoic.intel",
    "msoic.referrals",
    "msoic.nrmstats",
    "msoic.programme",
    "msoic.reports",
    "msoic.demo",
    "msoic.runtime",
    "msoic.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "msoic.web.middleware.SecurityHeadersMiddleware",
    "msoic.web.errors.ErrorPageMiddleware",
    "msoic.web.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "msoic.accounts.middleware.TokenAuthenticationMiddleware",
    "msoic.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "msoic.urls"
CSRF_FAILURE_VIEW = "msoic.web.errors.csrf_failure"
WSGI_APPLICATION = "msoic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "msoic.web.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'msoic.sqlite3'}"), PROJECT_DIR
    )
}
# A kept connection (CONN_MAX_AGE) is checked before a request reuses it, so the first
# request after a PostgreSQL restart reconnects instead of failing (tests/runtime/test_faults.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An SQLite database's folder is created before first use, for every command (a fresh
# clone has no var/); a PostgreSQL deployment needs no local folder at all.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    ensure_dir(
        Path(str(DATABASES["default"]["NAME"])).parent,
        "DATABASE_URL" if env_str("DATABASE_URL", "") else "MSOIC_VAR_DIR",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

# Sessions: 30 minutes idle, then log in again.
SESSION_COOKIE_AGE = env_int("MSOIC_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers (the Content-Security-Policy is set by msoic.web.middleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("MSOIC_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("MSOIC_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads: the limit is checked before any parsing.
MSOIC_MAX_UPLOAD_BYTES = env_int("MSOIC_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
MSOIC_MAX_UNZIPPED_BYTES = env_int("MSOIC_MAX_UNZIPPED_BYTES", 50 * 1024 * 1024)
MSOIC_MAX_FILES_PER_UPLOAD = env_int("MSOIC_MAX_FILES_PER_UPLOAD", 60)
# The bounded reading path (msoic.collection.reading): caps per file, checked while streaming,
# before anything is materialised. Cells count each row up to its last filled cell.
MSOIC_READ_MAX_ZIP_MEMBERS = env_int("MSOIC_READ_MAX_ZIP_MEMBERS", 2000)
MSOIC_READ_MAX_COMPRESSION_RATIO = env_int("MSOIC_READ_MAX_COMPRESSION_RATIO", 200)
MSOIC_READ_MAX_ROWS = env_int("MSOIC_READ_MAX_ROWS", 250_000)
MSOIC_READ_MAX_COLUMNS = env_int("MSOIC_READ_MAX_COLUMNS", 512)
MSOIC_READ_MAX_CELLS = env_int("MSOIC_READ_MAX_CELLS", 2_000_000)
MSOIC_READ_MAX_CELL_CHARS = env_int("MSOIC_READ_MAX_CELL_CHARS", 32_767)
MSOIC_READ_MAX_GRID_CELLS = env_int("MSOIC_READ_MAX_GRID_CELLS", 4_000_000)
MSOIC_READ_MAX_UNREFERENCED_CELLS = env_int("MSOIC_READ_MAX_UNREFERENCED_CELLS", 100_000)
# Long work (upload jobs, the daily audit anchor) goes on the task queue (ADR 0012): rows in
# the database that `msoic worker` processes. MSOIC_RUN_JOBS_INLINE runs it in the request
# instead (tests, one-shot use without a worker).
MSOIC_RUN_JOBS_INLINE = env_bool("MSOIC_RUN_JOBS_INLINE", default=False)
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if MSOIC_RUN_JOBS_INLINE
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = MSOIC_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = MSOIC_MAX_UPLOAD_BYTES + 1024 * 1024

# Login throttling (see docs/deploy.md): per (username, address) pair, MAX_FAILURES free
# tries, then a delay of DELAY seconds that doubles with each further failure up to
# DELAY_CAP; per address, across usernames, FACTOR times as many failures in the window
# block the address. No count per username alone, so nobody can lock another user out.
# Behind reverse proxies, say how many append X-Forwarded-For, or every login would seem
# to come from the proxy's address.
MSOIC_LOGIN_MAX_FAILURES = env_int("MSOIC_LOGIN_MAX_FAILURES", 5)
MSOIC_LOGIN_DELAY_SECONDS = env_int("MSOIC_LOGIN_DELAY_SECONDS", 30)
MSOIC_LOGIN_DELAY_CAP_SECONDS = env_int("MSOIC_LOGIN_DELAY_CAP_SECONDS", 15 * 60)
MSOIC_LOGIN_ADDRESS_FACTOR = env_int("MSOIC_LOGIN_ADDRESS_FACTOR", 4)
MSOIC_LOGIN_WINDOW_SECONDS = env_int("MSOIC_LOGIN_WINDOW_SECONDS", 15 * 60)
MSOIC_TRUSTED_PROXIES = env_int("MSOIC_TRUSTED_PROXIES", 0)
# API tokens (for /api/ only) expire this many days after issue (0: never).
MSOIC_TOKEN_DAYS = env_int("MSOIC_TOKEN_DAYS", 90)
# Disclosure control (ADR 0010): the secret behind the cell keys that choose the noise in
# partners' figures. Unset: derived from SECRET_KEY. Changing it changes released figures.
MSOIC_DISCLOSURE_KEY = env_str("MSOIC_DISCLOSURE_KEY", "")
# Training attendees are kept as HMAC(key, work email), never the email (capability/keys.py).
MSOIC_ATTENDEE_KEY = env_str("MSOIC_ATTENDEE_KEY", "")
# Email (survey invitations, docs/deploy.md): SMTP when MSOIC_EMAIL_HOST is set; otherwise
# (demo, development) each message is written to a file under var/mail. `check --deploy`
# requires the host and the from address (msoic.E402) and refuses SMTP without TLS (E403).
EMAIL_HOST = env_str("MSOIC_EMAIL_HOST", "")
EMAIL_PORT = env_int("MSOIC_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("MSOIC_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("MSOIC_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MSOIC_EMAIL_STARTTLS", default=True)
EMAIL_USE_SSL = env_bool("MSOIC_EMAIL_SSL", default=False)
EMAIL_TIMEOUT = env_int("MSOIC_EMAIL_TIMEOUT_SECONDS", 20)
DEFAULT_FROM_EMAIL = env_str("MSOIC_EMAIL_FROM", "msoic-insight@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Survey links: POSTs allowed per link and per address (hashed) in the window.
MSOIC_SURVEY_LINK_LIMIT = env_int("MSOIC_SURVEY_LINK_LIMIT", 10)
MSOIC_SURVEY_ADDRESS_LIMIT = env_int("MSOIC_SURVEY_ADDRESS_LIMIT", 300)
MSOIC_SURVEY_WINDOW_SECONDS = env_int("MSOIC_SURVEY_WINDOW_SECONDS", 3600)
# The unit's address told of organ-harvesting referrals escalated after 48 hours (unset: none).
MSOIC_REFERRALS_UNIT_EMAIL = env_str("MSOIC_REFERRALS_UNIT_EMAIL", "")
# Multi-factor authentication (TOTP, recovery codes): mandatory for force, regional and
# national users. MSOIC_MFA_DEMO_OFF turns it off for the demo only; `check --deploy`
# refuses it (msoic.accounts.checks).
MSOIC_MFA_DEMO_OFF = env_bool("MSOIC_MFA_DEMO_OFF", default=False)
OTP_TOTP_ISSUER = env_str("MSOIC_MFA_ISSUER", "MSOIC Insight")
# django-otp's throttle per device is off (0): anyone with the password could keep the user
# locked out by entering wrong codes. Codes are throttled like passwords instead, per
# (username, address) pair and per address (the MSOIC_LOGIN_* settings above), and per user
# across addresses: after MSOIC_MFA_USER_MAX_FAILURES wrong codes within the window, one try
# per MSOIC_MFA_USER_DELAY_SECONDS (a fixed wait that never grows, so it only slows).
OTP_TOTP_THROTTLE_FACTOR = 0
MSOIC_MFA_USER_MAX_FAILURES = env_int("MSOIC_MFA_USER_MAX_FAILURES", 10)
MSOIC_MFA_USER_DELAY_SECONDS = env_int("MSOIC_MFA_USER_DELAY_SECONDS", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MSOIC_LOG_LEVEL", "WARNING")},
}

if not PRODUCTION:
    SILENCED_SYSTEM_CHECKS: list[str] = []

# The audit log (docs/deploy.md, "The audit log"): rows are sealed with HMAC-SHA256 under
# MSOIC_AUDIT_KEY (<id>:<base64>; retired keys, for verifying old rows, in
# MSOIC_AUDIT_RETIRED_KEYS), required in production; a development key otherwise. The head is
# anchored to an append-only file outside the database. Refused requests write at most
# DENIED_PER_WINDOW `denied` rows per user per window, then one summary row with the count.
from msoic.audit.keys import keyring_from_env  # noqa: E402  (standard library only)

MSOIC_AUDIT_KEYRING = keyring_from_env(production=PRODUCTION, secret_key=SECRET_KEY)
MSOIC_AUDIT_ANCHOR_FILE = Path(
    env_str("MSOIC_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
)
MSOIC_AUDIT_DENIED_PER_WINDOW = env_int("MSOIC_AUDIT_DENIED_PER_WINDOW", 20)
MSOIC_AUDIT_DENIED_WINDOW_SECONDS = env_int("MSOIC_AUDIT_DENIED_WINDOW_SECONDS", 3600)
