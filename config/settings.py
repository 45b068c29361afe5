"""Settings for the Depok assets and UMKM outlets service, read from the environment (12-factor).

Unset `DATABASE_URL` means an embedded SQLite file in the project folder; production and CI set
`postgres://...`. Without `DEBUG` the service refuses to start unless `SECRET_KEY` is set.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for local development: a fixed key so sessions survive a restart.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "core",
    "geodata",
    "assets_app",
    "outlets",
    "fairness",
    "operations",
    "documents",
    "notifications",
    "programme",
    "facilities",
    "api",
    "web",
]

MIDDLEWARE = [
    "core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on HTML pages, Permissions-Policy on every response.
    "core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNullCharactersMiddleware",
    # Before anything reads a body (CSRF reads forms): an oversized one is a 413 unread.
    "core.middleware.RequestBodyLimitMiddleware",
    "core.middleware.APIInUTCMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.ReleaseRenderedResponseMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding, so psycopg prepares what a process runs again and again (the token
    # lookup, the map candidates, the page by id) and PostgreSQL plans each once per connection:
    # the 50-client load run spent 2.7 ms of database CPU per request without, 1.2 ms with.
    # Behind a pooler without prepared-statement support (PgBouncer before 1.21 in transaction
    # mode), add ?server_side_binding=false to DATABASE_URL.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _binding = str(_options.get("server_side_binding", "true")).strip().lower()
    _options["server_side_binding"] = _binding not in ("false", "0", "no", "off")
    if _options["server_side_binding"]:
        # psycopg prepares a statement on its fifth run (Django's default turns that off).
        _options.setdefault("prepare_threshold", 5)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot pool: keep connections per request; wait on a busy writer instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The asset bbox index INCLUDEs the id for PostgreSQL's index-only scans; SQLite ignores
# `include` (its indexes hold the rowid, which is the id) and would warn about it on every run.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# Leaflet's JS and CSS as django-leaflet ships them (served as `leaflet/...`, no CDN). Not an
# installed app: its admin module imports GeoDjango widgets, which need the GDAL system library.
_LEAFLET_SPEC = importlib.util.find_spec("leaflet")
if _LEAFLET_SPEC is not None and _LEAFLET_SPEC.submodule_search_locations:
    STATICFILES_DIRS.append(Path(_LEAFLET_SPEC.submodule_search_locations[0]) / "static")
MEDIA_ROOT = BASE_DIR / "media"
# Attached documents (#17) go through the storage named "documents": the filesystem under
# MEDIA_ROOT (in its documents/ folder) by default; DOCUMENTS_STORAGE_BACKEND (e.g.
# storages.backends.s3.S3Storage) and DOCUMENTS_STORAGE_OPTIONS (JSON) pick any other store.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {
        "BACKEND": os.environ.get(
            "DOCUMENTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": __import__("json").loads(os.environ["DOCUMENTS_STORAGE_OPTIONS"])
        if os.environ.get("DOCUMENTS_STORAGE_OPTIONS")
        else {},
    },
}
DOCUMENTS_MAX_BYTES = int(os.environ.get("DOCUMENTS_MAX_BYTES", str(20 * 1024 * 1024)))

LOGIN_URL = "/accounts/login/"
# `/` sends each person on to her place (vendors to /vendor/, staff to the map).
LOGIN_REDIRECT_URL = "/"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "depok-assets",
    }
}
# Throttle counters (sign-in, registration, vendor writes) live here. Set CACHE_URL (Redis) in
# production: with the local-memory cache each worker process counts on its own, so a limit of
# 30/minute lets through 30 per process.
if os.environ.get("CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CACHE_URL"],
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication, reading the user's roles in the same query.
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        # orjson, bounded in depth and refusing numbers beyond a double's range (a 400).
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LimitOffsetPagination",
    # api.negotiation's ?format= first, and the browsable API only for staff (api/docs.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.docs.DocsAwareContentNegotiation",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.StrictAutoSchema",
    # Throttles key anonymous callers by address. Unset, DRF would key them by the whole
    # X-Forwarded-For header, which a client can vary at will to dodge the limits: trust only as
    # many proxy hops as there are (0: REMOTE_ADDR; 1 behind one TLS proxy).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    "DEFAULT_THROTTLE_RATES": {
        "register": os.environ.get("THROTTLE_REGISTER", "20/hour"),
        # Every password guess draws on this one budget per address: the token endpoint, the
        # web sign-in and the admin sign-in (api.throttles.sign_in_throttle_wait).
        "token": os.environ.get("THROTTLE_TOKEN", "30/minute"),
        "password_reset": os.environ.get("THROTTLE_PASSWORD_RESET", "10/hour"),
        "vendor_write": os.environ.get("THROTTLE_VENDOR_WRITE", "120/minute"),
        # The public results and verification files of rounds (issue 19), per address.
        "public": os.environ.get("THROTTLE_PUBLIC", "600/minute"),
        # The what-if for a set (POST scenarios/repurposing/), per user.
        "scenario": os.environ.get("THROTTLE_SCENARIO", "30/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # An unauthenticated request is a 401 with a WWW-Authenticate header, not a 403.
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Depok city assets and UMKM outlets API",
    "DESCRIPTION": (
        "System of record for Kota Depok's city-owned land and buildings, their repurposing "
        "into UMKM outlets, and the fair allocation of outlet stalls to programme vendors."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Error statuses that follow from a view's configuration (400/401/403/404/429): api/schema.py
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
        # Links from an answer to the operations that take its id: api/schema_links.py
        "api.schema_links.add_links",
    ],
    # Several models have a `status`; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "AssetStatusEnum": "assets_app.models.Status",
        "ReclassificationStatusEnum": "assets_app.models.ReclassificationStatus",
        "StallKindEnum": "outlets.models.StallKind",
        "ClaimsEnum": "outlets.models.Claim",
        "RoundStatusEnum": "outlets.models.RoundStatus",
        "DecisionStatusEnum": "fairness.models.Decision",
        "LicenceKindEnum": "programme.choices.LicenceKind",
        "CohortProgrammeEnum": "programme.choices.Programme",
        "TargetProgrammeEnum": "programme.choices.TargetProgramme",
        "CoachingTopicEnum": "programme.choices.Topic",
        "DocumentKindEnum": "documents.models.DocumentKind",
        "ReferenceFacilityCategoryEnum": "facilities.categories.Category",
        "CategoryEnum": "assets_app.models.Category",
    },
}

# --- Domain settings -------------------------------------------------------------------------

# Repurposing assessment: the smallest land area an outlet can use, and how many residents may
# lose their only facility within the service radius before the coverage check fails.
ASSET_MIN_OUTLET_AREA_M2 = float(os.environ.get("ASSET_MIN_OUTLET_AREA_M2", "100"))
COVERAGE_UNCOVERED_THRESHOLD = float(os.environ.get("COVERAGE_UNCOVERED_THRESHOLD", "0"))

# Programme targets (Wira Usaha Baru and women entrepreneurs).
PROGRAMME_TARGET_WUB = int(os.environ.get("PROGRAMME_TARGET_WUB", "5000"))
PROGRAMME_TARGET_WOMEN = int(os.environ.get("PROGRAMME_TARGET_WOMEN", "1000"))

# NIK protection: a Fernet key encrypts the stored NIK, a separate key makes the lookup hash.
# The development defaults are derived from SECRET_KEY so `make run` works; production sets both.
NIK_ENCRYPTION_KEY = os.environ.get("NIK_ENCRYPTION_KEY", "")
NIK_HASH_KEY = os.environ.get("NIK_HASH_KEY", "")
if not DEBUG and not (NIK_ENCRYPTION_KEY and NIK_HASH_KEY):
    raise ImproperlyConfigured("NIK_ENCRYPTION_KEY and NIK_HASH_KEY must be set when DEBUG is off.")

# Optional base-map tiles for the planners' map (none by default: the service runs offline).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")

# Request bodies, in bytes: a larger one is a 413 before it is read (core.middleware's
# RequestBodyLimitMiddleware). Uploads (multipart: the asset import's files); every other body.
API_MAX_UPLOAD_BYTES = int(os.environ.get("API_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
API_MAX_JSON_BYTES = int(os.environ.get("API_MAX_JSON_BYTES", str(2 * 1024 * 1024)))
# Reference-facility lists (facilities.importing): a city's school and health lists are small.
FACILITIES_IMPORT_MAX_BYTES = int(
    os.environ.get("FACILITIES_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
)

# --- Sign-in, sessions, API docs ------------------------------------------------------------

# Days an API token lives from its creation (signing in again after that issues a new one);
# unset or empty: tokens never expire.
_TOKEN_TTL = os.environ.get("API_TOKEN_TTL_DAYS", "").strip()
API_TOKEN_TTL_DAYS = float(_TOKEN_TTL) if _TOKEN_TTL else None
# The OpenAPI schema, Swagger UI and DRF's browsable API: for everyone in development, only for
# signed-in staff (a staff role or admin access) in production.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=DEBUG)

# Outgoing mail, for password resets. The reset pages exist only when mail can leave: EMAIL_HOST
# set, or PASSWORD_RESET_ENABLED=true (with EMAIL_BACKEND pointing somewhere that delivers).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
if os.environ.get("EMAIL_BACKEND"):
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
PASSWORD_RESET_ENABLED = env_bool("PASSWORD_RESET_ENABLED", default=bool(EMAIL_HOST))
if DEBUG and not EMAIL_HOST and not os.environ.get("EMAIL_BACKEND"):
    # Development: vendors' notification e-mails are printed, never sent.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Vendors' notifications (notifications/): the SMS / WhatsApp gateway (a dotted path; the default
# only records the message), attempts before giving up, how many are sent within the request
# that caused them (the rest wait for `manage.py retry_notifications`), and the site's address
# for links in messages.
NOTIFICATION_SMS_BACKEND = os.environ.get(
    "NOTIFICATION_SMS_BACKEND", "notifications.gateways.RecordingGateway"
)
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "5"))
NOTIFICATION_SEND_INLINE_MAX = int(os.environ.get("NOTIFICATION_SEND_INLINE_MAX", "200"))
NOTIFICATION_SITE_URL = os.environ.get("NOTIFICATION_SITE_URL", "http://localhost:8000")

# --- Exports ---------------------------------------------------------------------------------

# Rows in one file (more is a 400 asking for a narrower filter or limit/offset), and exports one
# server process runs at once (more answer 503 with Retry-After), so exports never take every
# thread from the map and the health check (api/assets/export.py). bench/export_load.py (20
# exporters, 20 map clients, 3 workers x 4 threads, 2 cores): with 2 per process /healthz
# peaked at 1.7 s; with 1, 0.85 s.
EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "100000"))
EXPORT_MAX_CONCURRENT = int(os.environ.get("EXPORT_MAX_CONCURRENT", "1"))

# --- Production hardening (effective when DEBUG is off) -------------------------------------

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# One key=value line per record on stderr (core.logging: time, level, logger, message, the
# record's `extra` fields). Django's own loggers write through the root handler only (their
# default console handler would print each record twice); request warnings (4xx) are kept.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"keyvalue": {"()": "core.logging.KeyValueFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "keyvalue",
        }
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "WARNING", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
