"""Django settings for Teams Admin: every value from the environment, with offline defaults for `make run`."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from apps.teamsapi.contract import INVITATION_LIFETIME_DAYS
from teamsadmin.envtools import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_optional_int,
    env_origins,
    env_pairs,
    env_secret,
    env_str,
    header_name,
)

# Lets annotated code subscript Django generics at run time (ModelForm[AuthTenant], QuerySet[...]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TEAMSADMIN_VAR_DIR", str(BASE_DIR / "var")))
VERSION = "0.1.0"

# --- Core -------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)
DEV_SECRET_KEY = "django-insecure-teamsadmin-development-only"  # noqa: S105 - refused below when DEBUG is off
SECRET_KEY = env_secret("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of 32+ characters when DEBUG is off."
        )
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the dashboard's hosts when DEBUG is off, not '*'."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "apps.core",
    "apps.accounts",
    "apps.authtenants",
    "apps.activity",
    "apps.directory",
    "apps.audit",
    "apps.history",
    "apps.access",
    "apps.sync",
    "apps.tenants",
    "apps.members",
    "apps.reviews",
    "apps.people",
    "apps.sandbox",
    "axes",
]

MIDDLEWARE = [
    "apps.core.requestid.RequestIdMiddleware",
    "apps.core.nostore.NoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.IdleSignOutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the flag a refused sign-in left on the request and answers with our page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "teamsadmin.urls"
WSGI_APPLICATION = "teamsadmin.wsgi.application"
ASGI_APPLICATION = "teamsadmin.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.navigation",
                "apps.authtenants.current.team_switcher",
            ],
            "libraries": {
                "display": "teamsadmin.display",
                "activity_rows": "teamsadmin.activity_rows",
            },
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
_env = environ.Env()
try:
    DATABASES = {
        "default": _env.db_url(
            "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'teamsadmin.sqlite3'}"
        )
    }
except (environ.ImproperlyConfigured, KeyError) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Teams Admin understands ({exc})."
    ) from None
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:/// or postgres:// URL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker share the file: WAL lets readers run beside one writer, IMMEDIATE takes the
    # write lock up front (no upgrade deadlocks) and the timeout waits instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60, minimum=0))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# --- Cache ------------------------------------------------------------------------------------
# The default is the database cache so that web and worker processes share one token cache.
REDIS_URL = env_str("REDIS_URL", "")
try:
    CACHES = {
        "default": _env.cache_url("CACHE_URL", default=REDIS_URL or "dbcache://teamsadmin_cache")
    }
except (environ.ImproperlyConfigured, KeyError) as exc:
    raise ImproperlyConfigured(
        f"CACHE_URL is not a cache URL Teams Admin understands ({exc})."
    ) from None

# --- Auth -------------------------------------------------------------------------------------
# Axes first: it refuses a locked-out username or address before any backend checks a password.
# Then Django's model backend, also reading the dashboard role with the user on every request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.backends.RoleBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Off: no password form and no password sign-in at all (single sign-on is the way in).
TEAMSADMIN_LOCAL_LOGIN = env_bool("TEAMSADMIN_LOCAL_LOGIN", True)
# Proxies in front of the dashboard that append to X-Forwarded-For (0: the peer is the client).
TEAMSADMIN_TRUSTED_PROXY_COUNT = env_int("TEAMSADMIN_TRUSTED_PROXY_COUNT", 0, minimum=0)

# Sign-in throttling (django-axes, database handler: every web worker sees the same counts).
# A username, and separately an address, is locked after this many failures, counted until a
# cool-off passes without one; a success does not reset the count (a valid account cannot be
# used to clear an address's failures between guesses).
AXES_FAILURE_LIMIT = env_int("TEAMSADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
TEAMSADMIN_LOGIN_COOLOFF_MINUTES = env_int("TEAMSADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=TEAMSADMIN_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Tries while locked are refused without counting: the lock ends a cool-off after it began, so
# someone guessing cannot keep a person locked out by trying on.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "apps.accounts.backends.username_tried"
# The same address the audit entries name (apps/core/clientip.py), instead of django-ipware.
AXES_CLIENT_IP_CALLABLE = "apps.core.clientip.client_ip"
# Axes writes one log line per attempt; the audit entries are the record people read.
AXES_VERBOSE = False

# Sessions end after this long without a request; cookies are HTTP-only, SameSite=Lax, and
# sent over HTTPS only when DEBUG is off.
TEAMSADMIN_SESSION_IDLE_MINUTES = env_int("TEAMSADMIN_SESSION_IDLE_MINUTES", 60, minimum=1)
# The cookie outlives the idle limit by a day, so a person coming back late is told why they
# were signed out; the limit itself is enforced on the server (apps/accounts/middleware.py).
SESSION_COOKIE_AGE = TEAMSADMIN_SESSION_IDLE_MINUTES * 60 + 86400
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# --- Transport and browser security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS is sent over HTTPS only; off in development, where the dashboard runs on plain HTTP.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Container healthchecks call these over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Behind a TLS-terminating proxy: the header it sets to "https" (e.g. X-Forwarded-Proto). Only
# name it when the proxy always sets or overwrites that header, or clients could claim HTTPS.
_PROXY_SSL_HEADER = env_str("TEAMSADMIN_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (
    (header_name("TEAMSADMIN_PROXY_SSL_HEADER", _PROXY_SSL_HEADER), "https")
    if _PROXY_SSL_HEADER
    else None
)
# Asking browsers to preload HSTS is a commitment for the whole domain, made by setting
# SECURE_HSTS_PRELOAD; without it the deploy check's reminder is noise.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# No inline script, style or eval anywhere: htmx reads its configuration from a <meta> tag
# (base.html) and its indicator styles live in app.css. form-action also limits where a
# form's POST may be redirected, so a sign-in that hands over to an identity provider after a
# POST lists that provider's origin in TEAMSADMIN_CSP_FORM_ACTION.
TEAMSADMIN_CSP_FORM_ACTION = env_origins("TEAMSADMIN_CSP_FORM_ACTION")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *TEAMSADMIN_CSP_FORM_ACTION],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# --- I18N / static ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["teamsadmin.formats"]  # ISO dates and times: teamsadmin/formats/en/
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development whitenoise serves straight from static/ (finders); collectstatic is for production.
_STATIC_ROOT_WANTED = not DEBUG or "STATIC_ROOT" in os.environ
STATIC_ROOT = (
    Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles"))) if _STATIC_ROOT_WANTED else None
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Celery -----------------------------------------------------------------------------------
# Without a server the broker is kombu's filesystem transport under var/ (git-ignored).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
_CELERY_QUEUE_DIR = VAR_DIR / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_CELERY_QUEUE_DIR),
        "data_folder_out": str(_CELERY_QUEUE_DIR),
        # Broadcast (worker control) exchanges; kombu's default is ./control in the working dir.
        "control_folder": str(_CELERY_QUEUE_DIR / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 1800, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1900, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Email -----------------------------------------------------------------------------------
# Owners are emailed when an Auth Tenant goes offline or a sync keeps failing, and on recovery.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Teams Admin <teamsadmin@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Operations -------------------------------------------------------------------------------
# /metrics answers only with this bearer token; unset, the endpoint is off (404).
TEAMSADMIN_METRICS_TOKEN = env_secret("TEAMSADMIN_METRICS_TOKEN", "")
# A folder shared by web and worker processes: API counters are summed across them at scrape
# (prometheus_client's multiprocess mode, which reads the variable itself). Empty: per process.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")
if PROMETHEUS_MULTIPROC_DIR and not Path(PROMETHEUS_MULTIPROC_DIR).is_dir():
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR names {PROMETHEUS_MULTIPROC_DIR!r}, which is not a folder."
    )
# Owners are emailed when a sync of one kind has failed this many times in a row.
TEAMSADMIN_ALERT_SYNC_FAILURES = env_int("TEAMSADMIN_ALERT_SYNC_FAILURES", 3, minimum=1)

# --- Teams Admin ------------------------------------------------------------------------------
TEAMSADMIN_SANDBOX = env_bool("TEAMSADMIN_SANDBOX", DEBUG)
TEAMSADMIN_SYNC_INTERVAL_SECONDS = env_int("TEAMSADMIN_SYNC_INTERVAL_SECONDS", 300, minimum=10)
TEAMSADMIN_DIRECTORY_SYNC_INTERVAL_SECONDS = env_int(
    "TEAMSADMIN_DIRECTORY_SYNC_INTERVAL_SECONDS", 900, minimum=10
)
TEAMSADMIN_SYNC_LOCK_LEASE_SECONDS = env_int("TEAMSADMIN_SYNC_LOCK_LEASE_SECONDS", 120, minimum=1)
# Seconds a worker holds a bulk invite without sending a line, or an offboarding step it is
# carrying out; after that (a killed worker) the work is taken over. Longer than one call with
# its retries.
TEAMSADMIN_JOB_LEASE_SECONDS = env_int("TEAMSADMIN_JOB_LEASE_SECONDS", 180, minimum=1)
# Days stored activity events are kept (None: forever); dashboard actions are never pruned.
TEAMSADMIN_ACTIVITY_RETENTION_DAYS = env_optional_int(
    "TEAMSADMIN_ACTIVITY_RETENTION_DAYS", minimum=1
)
# Days after which a pending invitation reads as expired (default: contract.INVITATION_LIFETIME_DAYS).
TEAMSADMIN_INVITATION_EXPIRY_DAYS = env_int(
    "TEAMSADMIN_INVITATION_EXPIRY_DAYS", INVITATION_LIFETIME_DAYS, minimum=1
)
TEAMSADMIN_HTTP_CONNECT_TIMEOUT = env_float("TEAMSADMIN_HTTP_CONNECT_TIMEOUT", 5.0)
TEAMSADMIN_HTTP_READ_TIMEOUT = env_float("TEAMSADMIN_HTTP_READ_TIMEOUT", 30.0)
TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS = env_int(
    "TEAMSADMIN_TOKEN_EXPIRY_MARGIN_SECONDS", 60, minimum=0
)
TEAMSADMIN_HTTP_MAX_RETRIES = env_int("TEAMSADMIN_HTTP_MAX_RETRIES", 2, minimum=0)
TEAMSADMIN_HTTP_BACKOFF_SECONDS = env_float("TEAMSADMIN_HTTP_BACKOFF_SECONDS", 0.5)
TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = env_float("TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS", 30.0)
TEAMSADMIN_ALLOWED_API_HOSTS = env_list("TEAMSADMIN_ALLOWED_API_HOSTS", [])
TEAMSADMIN_ENCRYPTION_KEYS = env_list("TEAMSADMIN_ENCRYPTION_KEYS", [])
if not TEAMSADMIN_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "TEAMSADMIN_ENCRYPTION_KEYS must hold at least one Fernet key when DEBUG is off."
        )
    # Development only: a fixed key so `make run` works out of the box; never used with DEBUG off.
    TEAMSADMIN_ENCRYPTION_KEYS = ["dGVhbXNhZG1pbi1kZXZlbG9wbWVudC1rZXktMzJieXQ="]

# Sandbox (the simulated Teams API, mounted under /sandbox/ when enabled)
# The sandbox hands out tokens for any team and resets data on request: never by accident in
# production.
TEAMSADMIN_SANDBOX_FORCE = env_bool("TEAMSADMIN_SANDBOX_FORCE", False)
if TEAMSADMIN_SANDBOX and not DEBUG and not TEAMSADMIN_SANDBOX_FORCE:
    raise ImproperlyConfigured(
        "TEAMSADMIN_SANDBOX is on while DEBUG is off: the simulator would be reachable in "
        "production. Turn TEAMSADMIN_SANDBOX off, or set TEAMSADMIN_SANDBOX_FORCE=true if you "
        "really mean to serve it (benchmarks, demos)."
    )
# Callers of /sandbox/__sandbox/ without a signed-in owner (tests, scripts) send this token as
# "Authorization: Bearer <token>" or X-Sandbox-Control-Token; empty: owners only.
TEAMSADMIN_SANDBOX_CONTROL_TOKEN = env_secret("TEAMSADMIN_SANDBOX_CONTROL_TOKEN", "")
if TEAMSADMIN_SANDBOX_CONTROL_TOKEN and len(TEAMSADMIN_SANDBOX_CONTROL_TOKEN) < 32:
    raise ImproperlyConfigured(
        "TEAMSADMIN_SANDBOX_CONTROL_TOKEN must be at least 32 characters when set."
    )
TEAMSADMIN_SANDBOX_CLIENT_ID = env_str(
    "TEAMSADMIN_SANDBOX_CLIENT_ID", "sandboxOwnerClient0000000000000001"
)
TEAMSADMIN_SANDBOX_CLIENT_SECRET = env_secret(
    "TEAMSADMIN_SANDBOX_CLIENT_SECRET", "sandbox-owner-secret-change-me"
)
TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID = env_str(
    "TEAMSADMIN_SANDBOX_READONLY_CLIENT_ID", "sandboxReadOnlyClient000000000001"
)
TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET = env_secret(
    "TEAMSADMIN_SANDBOX_READONLY_CLIENT_SECRET", "sandbox-readonly-secret-change-me"
)
TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS = env_int(
    "TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS", 30, minimum=0
)
TEAMSADMIN_SANDBOX_RATE_LIMIT = env_bool("TEAMSADMIN_SANDBOX_RATE_LIMIT", True)
TEAMSADMIN_SANDBOX_TOKEN_LIFETIME_SECONDS = env_int(
    "TEAMSADMIN_SANDBOX_TOKEN_LIFETIME_SECONDS", 86400, minimum=1
)

# Single sign-on (OpenID Connect): on when an issuer is set. Unless one is configured, the
# sandbox's Auth Tenant is the identity provider while the sandbox is on; this is the one place
# that default lives. An issuer that is a path is taken relative to the dashboard's own address,
# so the default works on whatever port the dashboard is served.
SANDBOX_OIDC_ISSUER = "/sandbox/auth/acme.us.auth0.com/"
_OIDC_FROM_SANDBOX = TEAMSADMIN_SANDBOX and not os.environ.get("TEAMSADMIN_OIDC_ISSUER", "").strip()
TEAMSADMIN_OIDC_ISSUER = env_str(
    "TEAMSADMIN_OIDC_ISSUER", SANDBOX_OIDC_ISSUER if _OIDC_FROM_SANDBOX else ""
)
TEAMSADMIN_OIDC_CLIENT_ID = env_str(
    "TEAMSADMIN_OIDC_CLIENT_ID", "teamsadminDashboardSso000000001" if _OIDC_FROM_SANDBOX else ""
)
TEAMSADMIN_OIDC_CLIENT_SECRET = env_secret(
    "TEAMSADMIN_OIDC_CLIENT_SECRET", "sandbox-sso-secret-change-me" if _OIDC_FROM_SANDBOX else ""
)
TEAMSADMIN_OIDC_PROVIDER_NAME = env_str(
    "TEAMSADMIN_OIDC_PROVIDER_NAME", "the sandbox's Acme sign-in" if _OIDC_FROM_SANDBOX else ""
)
TEAMSADMIN_OIDC_ALLOWED_DOMAINS = [
    domain.lower().lstrip("@") for domain in env_list("TEAMSADMIN_OIDC_ALLOWED_DOMAINS", [])
]
TEAMSADMIN_OIDC_ROLES_CLAIM = env_str(
    "TEAMSADMIN_OIDC_ROLES_CLAIM", "https://teamsadmin.example/roles"
)
TEAMSADMIN_OIDC_ROLE_MAP = env_pairs(
    "TEAMSADMIN_OIDC_ROLE_MAP",
    [("owner", "teams-owners"), ("helpdesk", "teams-helpdesk"), ("auditor", "teams-auditors")],
    keys=("owner", "helpdesk", "auditor"),
)
if TEAMSADMIN_OIDC_ISSUER:
    if not TEAMSADMIN_OIDC_ISSUER.startswith(("https://", "http://", "/")):
        raise ImproperlyConfigured(
            f"TEAMSADMIN_OIDC_ISSUER must be an https:// URL, got {TEAMSADMIN_OIDC_ISSUER!r}."
        )
    if TEAMSADMIN_OIDC_ISSUER.startswith("http://") and not DEBUG:
        raise ImproperlyConfigured("TEAMSADMIN_OIDC_ISSUER must use https:// when DEBUG is off.")
    if not TEAMSADMIN_OIDC_CLIENT_ID:
        raise ImproperlyConfigured(
            "TEAMSADMIN_OIDC_CLIENT_ID must be set with TEAMSADMIN_OIDC_ISSUER."
        )
    if not TEAMSADMIN_OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "TEAMSADMIN_OIDC_CLIENT_SECRET must be set with TEAMSADMIN_OIDC_ISSUER."
        )

# --- Logging ----------------------------------------------------------------------------------
# The console shows Teams Admin's own lines (one summary per sync run) and the dashboard's
# requests. Per-call Teams API and token lines, and the sandbox's per-request lines, only show
# with LOG_LEVEL=DEBUG. Celery workers and beat log through this configuration too
# (teamsadmin/celery.py), so Celery's own INFO lines stay below the root's WARNING.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# plain: one readable line per record; json: one JSON object per line (log collectors).
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
_LOG_DEBUG = LOG_LEVEL == "DEBUG"
_REQUEST_FILTERS = ["permission_denied"] + ([] if _LOG_DEBUG else ["hide_sandbox_requests"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "permission_denied": {"()": "teamsadmin.logfilters.PermissionDeniedFilter"},
        "hide_sandbox_requests": {"()": "teamsadmin.logfilters.SandboxRequestsFilter"},
        "broker_default_host": {"()": "teamsadmin.logfilters.BrokerDefaultHostFilter"},
        "teams_api_calls": {"()": "teamsadmin.logfilters.TeamsApiCallsFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "teamsadmin.logformat.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": [] if _LOG_DEBUG else ["teams_api_calls"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "apps": {"level": LOG_LEVEL},
        "teamsadmin": {"level": LOG_LEVEL},
        # Replaces Django's default console handler, which printed each line a second time.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": _REQUEST_FILTERS},
        "kombu.connection": {"filters": ["broker_default_host"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": _REQUEST_FILTERS,
        },
    },
}
