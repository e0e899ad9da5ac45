"""Settings, read from the environment.

Every value has an embedded default so that one command runs the whole platform on a laptop
(SQLite, Celery over kombu's filesystem transport, media on the local disk). Production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``MEDIA_ROOT``, ``DJANGO_SECRET_KEY`` and friends.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the platform writes at run time (database, broker folders, media, caches) lives
# under one folder so that a checkout stays clean and a demo can be wiped in one step.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


# The placeholder that .env.example ships for every secret: never a working value.
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value refused, not a secret


def _secret_key() -> str:
    """The key from the environment or, on an embedded install, one made once and kept in var/.

    A key in the repository would be a key for everybody; a random one per install is not.
    """
    from_env = env.str("DJANGO_SECRET_KEY", default="")
    if from_env == PLACEHOLDER_SECRET:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is still the placeholder of .env.example: set a long random value."
        )
    if from_env:
        return from_env
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin: its admin classes and the model patching come first.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "knox",
    "django_htmx",
    "django_celery_results",
    "axes",
    "core",
    "lesions",
    "classifier",
    "gan",
    "contests",
    "analysis",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Body size and request-rate limits of the GP pages and invitation links.
    "core.middleware.GPRequestLimits",
    # Last: it sees a login attempt only after authentication ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.researcher",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to the same file: wait for the lock instead of
    # failing at once, and let readers go on while a writer works.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not memory, so that a Celery worker started by an integration test sees the same
    # test database as the test itself.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # A stalled database must give a clear 503 in seconds, not a request hanging for a minute:
    # a connect timeout, and a statement timeout (0 turns it off, e.g. on workers whose report
    # queries may run long).
    statement_ms = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=15_000)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
            "options": f"-c statement_timeout={statement_ms}",
        }
    )
if DATABASES["default"].get("PASSWORD") == PLACEHOLDER_SECRET:
    raise ImproperlyConfigured(
        "The database password is still the placeholder of .env.example: set POSTGRES_PASSWORD."
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep each worker thread's connection open between requests: a new PostgreSQL connection (a
# forked backend, authentication, cold catalogue caches) costs more than a GP's whole request.
# A connection found broken is replaced at the start of the next request, not used.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: after AXES_FAILURE_LIMIT wrong passwords for one user name from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES (a page says so and until when).
AUTHENTICATION_BACKENDS = [
    "core.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15.0) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.views.errors.login_locked_out"
AXES_IPWARE_PROXY_COUNT = 1 if env.bool("DJANGO_BEHIND_PROXY", default=False) else 0
# The GP pages: at most this many requests a minute per browser session (a reader answers far
# slower than that), and this many invalid invitation links a minute per address (guessing).
# The counters live in the "limits" cache: Redis in production (shared by every web worker,
# atomic increments), one process's memory on the embedded defaults.
GP_REQUESTS_PER_MINUTE = env.int("GP_REQUESTS_PER_MINUTE", default=240)
INVALID_LINKS_PER_MINUTE = env.int("INVALID_LINKS_PER_MINUTE", default=20)
RATELIMIT_USE_CACHE = "limits"
# Request bodies: a GP page posts a few fields; a researcher uploads an image to try a model.
GP_MAX_BODY_BYTES = env.int("GP_MAX_BODY_BYTES", default=16 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Study content per language (contests/translation.py): English is the default column, and a
# text missing in the reader's language falls back to the other one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "es"), "en": ("es",), "es": ("en",)}
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# The image collects static files once at build time and serves them under hashed names; the
# demo and the tests serve straight from the app and project folders, with no collectstatic.
STATIC_COLLECTED = env.bool("DJANGO_STATIC_COLLECTED", default=False)
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
if not STATIC_COLLECTED:
    # whitenoise warns at every start when its folder is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# The most pixels an image may declare: the importer refuses larger ones, and every decode of a
# catalogue or uploaded image checks it first (lesions/imaging.py).
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=50_000_000)
# Decoded uint8 image caches, one per data set and size, shared by every training run.
IMAGE_CACHE_DIR = Path(env.str("IMAGE_CACHE_DIR", default=str(VAR_DIR / "cache")))
# Work in progress that torch and the report writer need as local files (a run's checkpoints
# while it trains, a report being written, fetched models): each worker's own disk. Results go
# to the media store through Django's storage API, which every worker shares.
WORK_DIR = Path(env.str("WORK_DIR", default=str(VAR_DIR / "work")))


def _media_storage() -> dict[str, object]:
    """The media store: MEDIA_ROOT on a local or shared (NFS) filesystem, or S3-compatible
    object storage (django-storages) with MEDIA_STORAGE=s3 and the AWS_* variables."""
    kind = env.str("MEDIA_STORAGE", default="filesystem")
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
                "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
                "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
                "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
                "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
                "location": env.str("AWS_LOCATION", default=""),
                # Private objects; the platform streams media itself, never links to the store.
                "default_acl": None,
                "querystring_auth": True,
                # As on a filesystem: a name already taken gets another, never overwritten.
                "file_overwrite": False,
            },
        }
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, not {kind!r}")


STORAGES = {
    "default": _media_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}

# Computed pages (the researcher's results) are kept here: a folder by default, so that every
# web worker shares them on the embedded install too; CACHE_URL=redis://... or dbcache://table.
CACHES = {
    "default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'django-cache'}"),
    # Request-rate counters: Redis in production (atomic, shared by every web worker), one
    # process's memory on the embedded defaults.
    "limits": env.cache_url("LIMITS_CACHE_URL", default="locmemcache://limits"),
}

# The database session store with its per-request read compiled once (same table as Django's).
SESSION_ENGINE = "core.sessions"

# --- Security: strict by default, the HTTPS switches come from the environment ---------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Opaque image URLs must not travel to other sites in a Referer header.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- REST API: researchers only -----------------------------------------------------------------
# Scripts send a personal token (``Authorization: Token ...``), made and revoked on the
# researcher's tokens page; the browsable pages and Swagger UI ride on the login session. No
# HTTP Basic: it would run the Argon2 password check on every call.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.IsResearcher"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ProblemAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.ResearcherRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_PER_RESEARCHER", default="1200/minute"),
    },
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
}
# knox stores a token's SHA-512 digest and its first characters (to find it), never the token.
KNOX_TOKEN_MODEL = "core.ApiToken"  # noqa: S105 - a model name, not a secret
# knox's own token model is swapped out for core.ApiToken, but its migrations would still make
# its table (and a foreign key to the users that blocks flushing them): they are not run.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_PREFIX": "rs_",
    "TOKEN_TTL": None,  # each token's own expiry, chosen when it is made
    "AUTH_HEADER_PREFIX": "Token",
}
# Errors as RFC 9457 problem details (core.api.problems).
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "core.api.problems.ProblemHandler",
    "EXCEPTION_FORMATTER_CLASS": "core.api.problems.ProblemFormatter",
}
# How long a response is kept for a retry that sends the same Idempotency-Key.
IDEMPOTENCY_KEY_TTL_HOURS = 24
SPECTACULAR_SETTINGS = {
    "TITLE": "Skin-lesion reader-study platform API",
    "DESCRIPTION": (
        "Catalogue, classifiers, GAN, contests and analysis, for researchers. Send a personal "
        "token as `Authorization: Token <token>`; errors come as problem details (RFC 9457); "
        "POSTs that create accept an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["core.permissions.IsResearcher"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that several serializers share get one name each.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "core.models.JobStatus",
        "StudyStatusEnum": "contests.models.StudyStatus",
        "LocalizationEnum": "lesions.models.Localization",
        "DiagnosisEnum": "lesions.models.Diagnosis",
        "HintStyleEnum": "contests.models.HintStyle",
        "GanPresetEnum": "gan.models.Preset",
        "TrainingPresetEnum": "classifier.api.TRAINING_PRESETS",
    },
}

# --- Celery: two queues; GPU work one task at a time, acknowledged after it finishes ----------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60 * 60 * 24)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 600
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis hands an unacknowledged task to another worker after this many seconds: above
        # the longest task, so a GPU run is never delivered twice while its worker is alive.
        # A worker that died is found sooner, by its job's lease (JOB_LEASE_SECONDS).
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + 3600,
        "socket_connect_timeout": 5,
    }
# Queueing while the broker is down fails within seconds (the job stays in the outbox) instead
# of holding a researcher's request for a long retry loop.
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Jobs: leases on their rows, the periodic requeue, the outbox ---------------------------
# A running job's worker renews its lease every JOB_HEARTBEAT_SECONDS; a lease silent for
# JOB_LEASE_SECONDS belongs to a dead worker and may be taken over. A job is claimed at most
# JOB_MAX_ATTEMPTS times, then marked failed with the reason.
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=5.0)
JOB_LEASE_SECONDS = env.float("JOB_LEASE_SECONDS", default=60.0)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
if JOB_LEASE_SECONDS < 3 * JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("JOB_LEASE_SECONDS must be at least 3 heartbeats long")
# Celery beat: requeue what dead workers left, deliver the outbox.
JOB_MAINTAIN_SECONDS = env.float("JOB_MAINTAIN_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "jobs-maintain": {
        "task": "core.tasks.jobs_maintain_task",
        "schedule": JOB_MAINTAIN_SECONDS,
        # Not piled up while no default worker runs: the next one does the same work.
        "options": {"queue": "default", "expires": JOB_MAINTAIN_SECONDS},
    },
    # A crossover reader's optional reminder that their second session has opened.
    "contests-session-reminders": {
        "task": "contests.tasks.session_reminders_send_task",
        "schedule": 3600.0,
    },
}

# --- E-mail: Django's backend from EMAIL_URL (smtp://user:password@host:587, ...); by default
# messages are written to the console, which is where a laptop's demo wants them.
_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="reader-study@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The filesystem broker has no host; kombu warns about that on every connection.
    "loggers": {"kombu.connection": {"level": "ERROR"}},
}
