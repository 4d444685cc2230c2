"""Settings for the pairing portal, read from the environment in this one place.

Unset DATABASE_URL and REDIS_URL give the embedded defaults (SQLite, eager Celery) so a new
laptop runs everything; set, they select PostgreSQL through psycopg 3 and the Redis broker.
A malformed value stops start-up with a one-line reason (ImproperlyConfigured, which manage.py,
wsgi.py and the Celery app print as one line). PORTAL_ENV=production demands real secrets.
"""

import datetime
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_text(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_text(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = env_text(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below {minimum}")
    return number


def parse_database_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme or '(none)'!r} is not supported (use postgres:// or sqlite://)"
        )
    if parts.scheme != "sqlite" and not (parts.hostname and parts.path.strip("/")):
        raise ImproperlyConfigured(
            "DATABASE_URL must name a host and a database, e.g. postgres://user@host:5432/db"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {error}") from None
    return config


def parse_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured("REDIS_URL must look like redis://host:6379/0")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ImproperlyConfigured("REDIS_URL has a port that is not a number") from None
    if parts.path.strip("/") and not parts.path.strip("/").isdigit():
        raise ImproperlyConfigured("REDIS_URL database must be a number, e.g. redis://host:6379/0")
    return url


RATE_PERIODS = {"second", "minute", "hour", "day"}


def env_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate such as `60/minute` (`N/second|minute|hour|day`), or `off` for none."""
    value = env_text(name, default) or default
    if value.lower() == "off":
        return None
    match = re.fullmatch(r"(\d+)/(\w+)", value)
    if not match or match.group(2) not in RATE_PERIODS or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate like 60/minute (second, minute, hour, day) or off"
        )
    return value


PORTAL_ENV = env_text("PORTAL_ENV", "development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"PORTAL_ENV={PORTAL_ENV!r} must be 'development' or 'production'")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = env_text("SECRET_KEY")
if SECRET_KEY is None:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PORTAL_ENV=production")
    SECRET_KEY = "development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = [h.strip() for h in (env_text("ALLOWED_HOSTS", "") or "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PORTAL_ENV=production")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env_text("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "core.apps.PortalAdminConfig",  # django.contrib.admin, its site asking the policy
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rules",
    "core.apps.LoginRecordsConfig",  # django-axes, named in the portal's language
    "core",
    "pairing",
    "reporting",
    "oversight",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Below the session, CSRF, authentication and messages: pages kept whole (core/page_cache.py).
    "core.page_cache.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Below the messages middleware, so a notice it adds is stored with the response.
    "core.middleware.DelayedWorkNoticeMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # gunicorn serves the collected static files through whitenoise; runserver serves them itself.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "reporting.context_processors.report_due",
            ],
        },
    },
]

# Database: SQLite unless DATABASE_URL is set.
DATABASE_URL = env_text("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": parse_database_url(DATABASE_URL)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Without Redis the cache is the process's memory. Django's default keeps 300 entries, then drops the
# third least recently used: the demo's five programmes cache more figures than that on a few pages
# (a month's tally, its rows, each liaison's months), so the pages kept counting them again.
EMBEDDED_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}

# Redis: the Celery broker, result backend and cache when REDIS_URL is set; eager tasks otherwise.
REDIS_URL = parse_redis_url(env_text("REDIS_URL")) if env_text("REDIS_URL") else None
# Pages kept whole until the data changes (core/page_cache.py). On by default only with Redis: the
# cache must be one for all of the server's processes, which a process's local memory is not.
PAGE_CACHE = env_bool("PAGE_CACHE", bool(REDIS_URL))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            # Redis being down makes the cache a miss, never a failed page (core/cache.py).
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    # A send to an unreachable broker fails fast; the outbox keeps the task for later (core/outbox.py).
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CACHES = {"default": EMBEDDED_CACHE}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a task whose worker died goes back on the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message taken by a worker that vanished entirely (the machine, not just a child) is handed out
    # again after this long; long enough for the longest compilation, whose claim refuses a second copy.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
    # A web process handing a task to the broker (core/outbox.py) tries the connection twice, at once,
    # then leaves the task to the outbox's sweep: kombu's default kept each request of a user waiting
    # while it retried (0.8 s a task measured with Redis stopped, ten waits in one test of the broker
    # being down). The worker's own connection keeps its retries (broker_connection_max_retries).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language and time: Simplified Chinese by default, English available; Asia/Shanghai.
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LANGUAGE_CODE = env_text("LANGUAGE_CODE", "zh-hans")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE={LANGUAGE_CODE!r} is not one of the portal's languages: {', '.join(dict(LANGUAGES))}"
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]  # 2,016,380,000 in Chinese too
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_ROOT = Path(env_text("MEDIA_ROOT", str(BASE_DIR / "media")))
# Agreements and attachments: private files, served only through views that check who is asking.
AGREEMENT_MAX_BYTES = env_int("AGREEMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# The compilation reads this many pairings at a time (memory stays flat; each chunk is a heartbeat).
COMPILE_CHUNK_PAIRINGS = env_int("COMPILE_CHUNK_PAIRINGS", 2000, minimum=1)
# Uploaded workbooks (the liaison's report, the registry import) are checked against these before
# they are read (core/excel): the file as uploaded, what it unzips to, how much it is compressed,
# its parts (zip members), the parts a reader holds whole, and the rows, columns, cells and
# characters of a cell. A file over any of them is refused with the limit named.
EXCEL_MAX_FILE_BYTES = env_int("EXCEL_MAX_FILE_BYTES", 5 * 1024 * 1024, minimum=1024)
EXCEL_MAX_UNZIPPED_BYTES = env_int("EXCEL_MAX_UNZIPPED_BYTES", 50 * 1024 * 1024, minimum=1024)
EXCEL_MAX_COMPRESSION_RATIO = env_int("EXCEL_MAX_COMPRESSION_RATIO", 100, minimum=2)
EXCEL_MAX_PARTS = env_int("EXCEL_MAX_PARTS", 500, minimum=10)
EXCEL_MAX_PART_BYTES = env_int("EXCEL_MAX_PART_BYTES", 2 * 1024 * 1024, minimum=1024)
EXCEL_MAX_ROWS = env_int("EXCEL_MAX_ROWS", 20000, minimum=10)
EXCEL_MAX_COLUMNS = env_int("EXCEL_MAX_COLUMNS", 100, minimum=10)
EXCEL_MAX_CELLS = env_int("EXCEL_MAX_CELLS", 100000, minimum=100)
EXCEL_MAX_CELL_CHARS = env_int("EXCEL_MAX_CELL_CHARS", 32767, minimum=100)
# Exports larger than this many rows are built by a worker instead of inside the request.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 20000, minimum=1)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env_text("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_text("DEFAULT_FROM_EMAIL", "portal@localhost")
SITE_URL = (env_text("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

# Browser security headers, the same in every environment (SecurityMiddleware and clickjacking).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"  # a stale form says so on the portal's page
# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static files.
# No inline script or event handler (static/portal/portal.js wires pages by data- attributes) and no
# style attribute either (sizes are set through the CSSOM), so 'unsafe-inline' appears nowhere; the
# Swagger UI page at /api/docs/ adds what it needs for itself (portal/api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws its checkboxes and select arrows as data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (portal/middleware.py): the portal uses none of these browser features.
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
]
# The client's address: REMOTE_ADDR, unless this many proxies in front of the portal each append
# to X-Forwarded-For (then the entry they did not write). 0 ignores the header, which a client
# could otherwise fill with any address to dodge the login and API limits.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Failed logins (django-axes, recorded in the database): LOGIN_FAILURE_LIMIT failures for one
# username, or from one address, lock it for LOGIN_LOCKOUT_MINUTES after the last of them; bureau
# staff lift a lockout at /accounts/lockouts/ (or in the admin).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
# A username, or an address, is locked after the limit; bureau staff are not kept out by an address
# (core/lockouts.py: they lift lockouts, often from the office's one address).
AXES_LOCKOUT_PARAMETERS = "core.lockouts.lockout_parameters"
# Attempts while locked do not push the end further: the lockout page names a time that holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the failures: with the address as a parameter it would also wipe those
# of other usernames from that address, letting anyone with one account reset an attacker's count.
AXES_RESET_ON_SUCCESS = False
# The log names the address of each failure and lockout; the username stays out (a password typed
# into the wrong field would otherwise land in the log).
AXES_SENSITIVE_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"

if PRODUCTION:
    # The portal runs behind the city's HTTPS proxy (README, "Production topology"), which sets
    # X-Forwarded-Proto; HTTPS is therefore on by default and each part can be turned off.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container's health check asks http://127.0.0.1:8000/healthz from inside, past the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Entering the browsers' preload list is the domain owner's decision, made once at
        # hstspreload.org for the whole registrable domain; the portal does not ask for it by default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

REST_FRAMEWORK = {
    # Token first: a request with no credentials is answered 401 with `WWW-Authenticate: Token` (with
    # the session first, DRF answers 403, which tells an API client nothing about signing in).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every endpoint asks the policy (core/api.py); a viewset names what each action needs.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "core.api.PolicyPermission"],
    "DEFAULT_FILTER_BACKENDS": ["core.ids.PortalFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Requests per caller in the cache (Redis when REDIS_URL is set): signed-in users by account,
    # anonymous callers (the schema and docs) by address. Over the rate: 429 in the caller's language.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.AnonymousRateThrottle", "core.throttles.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
        "user": env_rate("API_THROTTLE_USER", "600/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "core.throttles.exception_handler",
}
# The schema and docs describe every endpoint: public while developing, behind a login in production.
API_DOCS_PUBLIC = not PRODUCTION
SPECTACULAR_SETTINGS = {
    "TITLE": "Pairing portal API",
    "DESCRIPTION": "Programmes, schools, pairings with their compliance, teams, residencies, meetings, "
    "monthly reports (with their lifecycle) and monthly summaries. Every object is scoped to the caller.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["core.api.ApiDocsPermission"],
}

# A test that needs a real service fails instead of skipping when this is set (CI sets it).
REQUIRE_SERVICES = env_bool("REQUIRE_SERVICES", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused or malformed request (4xx) is one line, not a traceback: only a server error's is kept.
    "filters": {"client_errors_in_one_line": {"()": "core.logs.ClientErrorsInOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors_in_one_line"]},
    },
    "root": {"handlers": ["console"], "level": env_text("LOG_LEVEL", "INFO")},
    "loggers": {
        # django-axes logs failed logins and lockouts as warnings; its every success (kept in its
        # AccessLog table) and its start-up banner on each command are left out.
        "axes": {"level": "WARNING"},
        # Django's own loggers write through the root's handler only (Django's default adds a console
        # handler of its own while DEBUG is on, which printed every line twice).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
