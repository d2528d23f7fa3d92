"""One settings module for every environment, driven by environment variables.

The embedded default (no variables set) is SQLite under var/, an in-memory channel layer, a
local-memory cache and files under var/media: a newcomer runs it with no other server.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-qualityweek-2026"  # noqa: S105 - development only: refused above when DEBUG is off

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "qualityweek.core.apps.TasksDatabaseConfig",  # django_tasks_db, with a Russian name in the admin
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "qualityweek.core",
    "qualityweek.directory",
    "qualityweek.campaigns",
    "qualityweek.activities",
    "qualityweek.showcase",
    "qualityweek.outreach",
    "qualityweek.certificates",
    "qualityweek.quizzes",
    "qualityweek.forum",
    "qualityweek.contest",
    "qualityweek.analytics",
    "qualityweek.notifications",
    "qualityweek.cabinet",
    "qualityweek.demo",
]

MIDDLEWARE = [
    "qualityweek.core.logs.RequestIdMiddleware",
    "qualityweek.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qualityweek.directory.otp.OTPEnrolmentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out login into the Russian lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qualityweek.urls"
ASGI_APPLICATION = "qualityweek.asgi.application"
WSGI_APPLICATION = "qualityweek.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qualityweek" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "qualityweek.directory.navigation.navigation",
            ],
            "builtins": ["qualityweek.core.templatetags.ru", "qualityweek.core.templatetags.ui"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qualityweek.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the job worker writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif int(os.environ.get("DB_POOL_MAX_SIZE", "20")) > 0:
    # A burst of requests queues for a pooled connection (up to DB_POOL_TIMEOUT seconds, then an
    # error page) instead of opening one connection each until PostgreSQL answers «too many clients».
    # Size it so that every process's max_size together stays under the server's max_connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must not
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "20")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer (Redis when REDIS_URL is set) -------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and (_test_worker := os.environ.get("PYTEST_XDIST_WORKER", "")).startswith("gw"):
    # The suite clears the cache (FLUSHDB) around every test, so each parallel test process
    # (`pytest -n`) takes its own Redis database: the URL's database number plus the worker's index.
    _url = urlsplit(REDIS_URL)
    _db = int(_url.path.strip("/") or 0) + int(_test_worker.removeprefix("gw"))
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_db}"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "qw"),
        }
    }
    CHANNEL_LAYERS = {
        # redis-py's default pool (100 connections) fails at a few hundred simultaneous sockets.
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {
            # redis-py 8 reads with a 5 s socket timeout by default, the same as channels_redis' blocking
            # BZPOPMIN: on a busy machine the empty reply arrives just after 5 s and the socket dies.
            "hosts": [{"address": REDIS_URL, "max_connections": int(os.environ.get("CHANNELS_REDIS_POOL", "2000")),
                       "socket_timeout": 30}],
        }}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Live quiz games: "memory" (one process holds every game: the embedded default) or "redis" (several
# app nodes share games through Redis; docs/decisions/0016). Several nodes need "redis".
QUIZ_STORE = os.environ.get("QUIZ_STORE", "memory")
if QUIZ_STORE not in ("memory", "redis") or (QUIZ_STORE == "redis" and not REDIS_URL):
    raise ImproperlyConfigured('QUIZ_STORE must be "memory" or "redis" (the latter with REDIS_URL set).')

# --- Background jobs ------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A running job's worker touches it every third of the lease; `run_worker` (beside db_worker's loop)
# reaps jobs whose lease expired every JOB_REAP_SECONDS: an idempotent job is queued again (at most
# JOB_MAX_ATTEMPTS runs in all), any other is marked interrupted for its owner to retry or cancel.
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "60"))
JOB_REAP_SECONDS = int(os.environ.get("JOB_REAP_SECONDS", "30"))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "3"))
# Tests only: a job pauses at its progress calls while <JOB_STEP_HOLD_DIR>/<job kind> exists.
JOB_STEP_HOLD_DIR = os.environ.get("JOB_STEP_HOLD_DIR", "")
# The forum's registrations are anonymised this many days after the forum's last day (forum_tick /
# `manage.py purge_forum_data`; docs/decisions/0029).
FORUM_PURGE_AFTER_DAYS = int(os.environ.get("FORUM_PURGE_AFTER_DAYS", "90"))

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cabinet"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Login throttling (django-axes, docs/decisions/0012): an account is locked for one address after
# AXES_FAILURE_LIMIT wrong passwords within AXES_COOLOFF_TIME; the per-address limit on every login
# attempt is a rate limit (RATE_LIMITS["login_ip"]). A password reset by e-mail lifts the lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Two-factor authentication (django-otp, docs/decisions/0014): these roles must enrol a TOTP app at their
# next login. Off in development, demo and tests; on in production unless OTP_REQUIRED_ROLES says otherwise.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "" if DEBUG else "operator,coordinator")
OTP_TOTP_ISSUER = "Неделя качества"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_USE_ATTEMPT_EXPIRATION = True  # failures older than the cool-off no longer count
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "qualityweek.directory.auth_views.login_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "qualityweek.core.http.client_ip"
AXES_VERBOSE = False
# Rate limits (django-ratelimit counters in the cache, core/ratelimit.py; docs/decisions/0013): per client
# address (`_ip`) and per e-mail (`_email`), "count/period" with s, m, h or d.
RATE_LIMITS = {
    "login_ip": os.environ.get("RATE_LOGIN_IP", "60/15m"),
    "password_reset_ip": os.environ.get("RATE_PASSWORD_RESET_IP", "10/h"),
    "password_reset_email": os.environ.get("RATE_PASSWORD_RESET_EMAIL", "3/h"),
    "sign_up_ip": os.environ.get("RATE_SIGN_UP_IP", "10/h"),
    "sign_up_email": os.environ.get("RATE_SIGN_UP_EMAIL", "3/h"),
    "invitation_ip": os.environ.get("RATE_INVITATION_IP", "20/h"),
    "public_form_ip": os.environ.get("RATE_PUBLIC_FORM_IP", "10/h"),
    "public_form_email": os.environ.get("RATE_PUBLIC_FORM_EMAIL", "5/h"),
}
RATELIMIT_IP_META_KEY = "qualityweek.core.http.client_ip"
INVITATION_TTL_DAYS = int(os.environ.get("INVITATION_TTL_DAYS", "14"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language, time -------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
# Django's own strings its Russian catalogue lacks («- Select an option -»): qualityweek/locale.
LOCALE_PATHS = [BASE_DIR / "qualityweek" / "locale"]
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Every file the platform keeps goes through the default storage (core/files.py). With
# STORAGE_S3_BUCKET set it is an S3-compatible object store (django-storages; SeaweedFS on this
# machine, docs/operations.md), shared by every app node and job worker; the bucket stays private:
# files are streamed after the permission check, or (PRIVATE_DOWNLOAD_URL_SECONDS > 0) a download is
# redirected to a signed URL that expires after that many seconds.
STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET", "")
if STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": os.environ.get("STORAGE_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("STORAGE_S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("STORAGE_S3_SECRET_KEY", ""),
            "region_name": os.environ.get("STORAGE_S3_REGION", "us-east-1"),
            "location": os.environ.get("STORAGE_S3_PREFIX", ""),
            "addressing_style": os.environ.get("STORAGE_S3_ADDRESSING", "path"),
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own (private) policy
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("PRIVATE_DOWNLOAD_URL_SECONDS", "0") or 60),
            "file_overwrite": False,  # two uploads of «отчёт.pdf» are two files
        },
    }
PRIVATE_DOWNLOAD_URL_SECONDS = int(os.environ.get("PRIVATE_DOWNLOAD_URL_SECONDS", "0")) if STORAGE_S3_BUCKET else 0
# Jobs build large files (ZIPs, workbooks) in a local scratch folder before storing them.
SCRATCH_DIR = os.environ.get("SCRATCH_DIR", "")

# --- E-mail (Django 6.1 MAILERS) ----------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Неделя качества <noreply@qualityweek.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": 20,
            },
        }
    }
else:
    # Without an SMTP host the embedded default writes messages to var/mail so they can be read.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
del EMAIL_HOST  # only MAILERS configures delivery

# --- Security (production) ------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)  # the proxy's X-Forwarded-For gives the client's address
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django's own middleware; docs/decisions/0013). Nothing runs or styles inline:
# scripts and styles are files of this site; a template that must inline one gives it {{ csp_nonce }}.
# Cached visitor pages never carry a nonce, so the header's fresh nonce cannot disagree with them.
_SITE_HOST = SITE_URL.split("://", 1)[-1].split("/", 1)[0]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, f"ws://{_SITE_HOST}", f"wss://{_SITE_HOST}"],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

# --- Logs, metrics, error reporting (docs/operations.md) -------------------------------------------
# LOG_FORMAT=json writes one JSON object a line with the request id (and job id) of each line; the
# readable text format is the default only in development.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "qualityweek.core.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "qualityweek.core.logs.JsonFormatter"},
        "text": {"()": "qualityweek.core.logs.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # fontTools reports every step of a font subset at INFO; django.tasks logs every task's start and end
    # at INFO (twice under db_worker, which adds its own handler) — the jobs table tells that already.
    "loggers": {"django.db.backends": {"level": "INFO"}, "fontTools": {"level": "WARNING"},
                "django.tasks": {"level": os.environ.get("TASKS_LOG_LEVEL", "WARNING")}},
}
# /metrics answers a scraper that shows METRICS_TOKEN («Authorization: Bearer …») or comes from one of
# METRICS_ALLOWED_IPS (addresses or networks); everyone else gets a 404. Neither set: nobody.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")
# A job worker serves its own figures (mail outcomes, job failures) on this port when it is set.
WORKER_METRICS_PORT = int(os.environ.get("WORKER_METRICS_PORT", "0"))
WORKER_METRICS_ADDR = os.environ.get("WORKER_METRICS_ADDR", "127.0.0.1")
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from qualityweek.core.errors import init_error_reporting

    init_error_reporting(SENTRY_DSN)
