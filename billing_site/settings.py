"""The one settings module. Every value comes from the environment with a safe default."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# With no DATABASE_URL / CELERY_BROKER_URL the project runs on a PostgreSQL and a Redis of
# its own (billing_site/local_services.py): a newcomer, `make test` and CI's first pass.
DATABASE_URL = env.str("DATABASE_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
USES_LOCAL_SERVICES = not (DATABASE_URL and CELERY_BROKER_URL)
if USES_LOCAL_SERVICES:
    from billing_site import local_services

    DATABASE_URL = DATABASE_URL or local_services.use(local_services.POSTGRES).url()
    CELERY_BROKER_URL = CELERY_BROKER_URL or local_services.use(local_services.REDIS).url()

# The cache every web and worker process shares (nothing relies on it since the forecast is
# kept in PostgreSQL): Redis, by default the broker's server in a database of its own (1, or
# 2 when the broker uses 1).
_broker = urlsplit(CELERY_BROKER_URL)
_cache_db = "2" if _broker.path.strip("/") == "1" else "1"
CACHE_URL = env.str("CACHE_URL", default="") or _broker._replace(path=f"/{_cache_db}").geturl()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "billing",
        "TIMEOUT": 24 * 3600,
    }
}

DEBUG = env.bool("DEBUG", default=False)
BUILT_IN_SECRET_KEY = "insecure-development-key-change-me"
# On the project's own servers a key is made once per checkout, kept in .local/.
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    local_services.secret_key() if USES_LOCAL_SERVICES else BUILT_IN_SECRET_KEY
)
if SECRET_KEY == BUILT_IN_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: set it to a long random value (DEBUG is off, so the built-in "
        "development key is refused)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django_countries",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served by us: the docs need no CDN
    "accounts",
    "contracts",
    "schedules",
    "invoicing",
    "webhooks",
    "demo",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the signed-in user's language, else the browser's.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "billing_site.urls"
WSGI_APPLICATION = "billing_site.wsgi.application"

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

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {DATABASE_URL!r}.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A database host that drops packets fails a request (and /healthz) in seconds, not minutes.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The user's language preference comes with the user's own row (one query, as before).
AUTHENTICATION_BACKENDS = ["accounts.backends.PreferenceBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "invoicing:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-gb")
# The languages of the web UI, of documents and of emails. "en" stands for the site's own
# English (LANGUAGE_CODE, en-gb by default: its dates read "15 Mar 2026", not US-style).
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
# The words; compiled with `make translations` (Babel: no GNU gettext needed).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The billing time zone: "today" for the nightly run is the local date here.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it

# Behind TLS in production (docker-compose.yml sets these); off by default so a plain
# http://127.0.0.1 run works.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
# "HTTP_X_FORWARDED_PROTO,https" when a proxy that sets that header terminates TLS.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER is a header and a value: HEADER,value.")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="billing@example.com")

# Celery on Redis. A chunk of work is redelivered if its worker dies, once it has been
# unacknowledged for the visibility timeout; workers sweep for such chunks every
# interval x throttle seconds (kombu's defaults: 10 x 10).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Billing
BILLING_NIGHTLY_HOUR = env.int("BILLING_NIGHTLY_HOUR", default=1)
# Contracts per generation transaction (one Celery chunk). 2,000 keeps a chunk's row locks
# and memory small while statements stay near 0.015 per invoice (bench_generation).
BILLING_GENERATION_CHUNK_SIZE = env.int("BILLING_GENERATION_CHUNK_SIZE", default=2000)
# A run's lease: the process working it renews it once per chunk (a chunk takes about a second
# at 3,000 invoices/s); a run not renewed for this long is shown Interrupted and re-queued.
BILLING_RUN_LEASE_SECONDS = env.int("BILLING_RUN_LEASE_SECONDS", default=120)

# Post-invoicing: Auto-Send, Auto-Charge, Auto-Sync.
# Django's SMTP backend waits forever without a timeout; a hung server would hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The seller's identity and bank details are in the billing settings (admin), not here.
# "manual" records invoices as awaiting payment by transfer; "stripe" charges the saved card.
BILLING_PAYMENT_GATEWAY = env.str("BILLING_PAYMENT_GATEWAY", default="manual")
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=30)
# The accounting webhook: these only seed the first webhook endpoint (a data migration, with
# the secret turned into a Standard Webhooks whsec_ one); endpoints are managed in admin.
ACCOUNTING_WEBHOOK_URL = env.str("ACCOUNTING_WEBHOOK_URL", default="")
ACCOUNTING_WEBHOOK_SECRET = env.str("ACCOUNTING_WEBHOOK_SECRET", default="")
ACCOUNTING_WEBHOOK_TIMEOUT_SECONDS = env.float("ACCOUNTING_WEBHOOK_TIMEOUT_SECONDS", default=10)
# Outgoing webhooks (Standard Webhooks signatures) wait this long for an answer; retried with
# the POST_INVOICING_RETRY_* backoff below, up to POST_INVOICING_MAX_ATTEMPTS attempts.
WEBHOOK_TIMEOUT_SECONDS = env.float(
    "WEBHOOK_TIMEOUT_SECONDS", default=ACCOUNTING_WEBHOOK_TIMEOUT_SECONDS
)
# Transient failures are retried with exponential backoff: base, 2 x base, 4 x base ...
# capped at the maximum; 8 attempts at 30 s keep trying for about an hour.
POST_INVOICING_MAX_ATTEMPTS = env.int("POST_INVOICING_MAX_ATTEMPTS", default=8)
POST_INVOICING_RETRY_BASE_SECONDS = env.float("POST_INVOICING_RETRY_BASE_SECONDS", default=30)
POST_INVOICING_RETRY_MAX_SECONDS = env.float("POST_INVOICING_RETRY_MAX_SECONDS", default=3600)

# The REST API (/api/v1/): API keys or the session, the pages' permissions, problem
# documents for errors, cursor pages, a rate limit per key.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_RATE_LIMIT", default="1200/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "iso-8601",
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Billing back office API",
    "DESCRIPTION": "Customers, billing contracts, schedules, invoices, credit notes and "
    "generation. Authenticate with `Authorization: Bearer <API key>`; errors are RFC 9457 "
    "problem documents.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two models have a "status": each its own enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "invoicing.models.Invoice.Status",
        "ScheduleStatusEnum": "schedules.models.BillingSchedule.Status",
        "ContractStatusEnum": "contracts.models.BillingContract.Status",
        "InvoiceKindEnum": "invoicing.models.Invoice.Kind",
        "GenerationKindEnum": ["regular", "change_log"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.problem_responses_add",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
