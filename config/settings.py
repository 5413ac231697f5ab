"""Retorno settings: one environment-driven base (12-factor). Every variable is in .env.example."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config import environment
from config.secrets import encryption_keys_problem, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent
# The process environment over the project's `.env`; an empty value means the default.
env = environment.load(BASE_DIR / ".env")
VAR_DIR = Path(env.str("RETORNO_VAR_DIR", default=str(BASE_DIR / "var")))

# "production" (the default) refuses to start with a missing or public SECRET_KEY and without
# RETORNO_ENCRYPTION_KEY; "development" (make run, the tests) has stand-ins for both.
RETORNO_ENV = env.str("RETORNO_ENV", default="production")
if RETORNO_ENV not in ("production", "development"):
    raise ImproperlyConfigured("RETORNO_ENV is 'production' or 'development'.")
DEVELOPMENT = RETORNO_ENV == "development"

DEBUG = env.bool("DEBUG", default=False)
DEVELOPMENT_SECRET_KEY = "retorno-insecure-development-key-change-me-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY if DEVELOPMENT else "")
if not DEVELOPMENT:
    secret_key_problem(SECRET_KEY, public=(DEVELOPMENT_SECRET_KEY, "change-me"))
# Keys that encrypt stored secrets (carrier credentials), comma-separated: the first encrypts,
# every one decrypts, so a new key goes first and an old one stays until `retorno
# reencrypt-secrets` has run. Independent of SECRET_KEY.
RETORNO_ENCRYPTION_KEYS = env.list("RETORNO_ENCRYPTION_KEY", default=[])
if not RETORNO_ENCRYPTION_KEYS:
    if not DEVELOPMENT:
        raise ImproperlyConfigured(
            "RETORNO_ENCRYPTION_KEY is not set: it encrypts stored carrier credentials. Generate "
            'one with: python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    RETORNO_ENCRYPTION_KEYS = [SECRET_KEY]
elif not DEVELOPMENT:
    encryption_keys_problem(RETORNO_ENCRYPTION_KEYS)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "retorno.core",
    "retorno.stores",
    "retorno.accounts",
    "retorno.orders",
    "retorno.policies",
    "retorno.notifications",
    "retorno.logistics",
    "retorno.warehouse",
    "retorno.money",
    "retorno.insight",
    "retorno.webhooks",
    "retorno.connectors.shopify",
    "retorno.connectors.woocommerce",
    "retorno.connectors.stripe",
    "retorno.returns",
    "retorno.analytics",
    "retorno.api",
    "retorno.portal",
    "retorno.backoffice",
    "retorno.demo",
]

MIDDLEWARE = [
    # Before anything reads: a request that changes something, or follows one closely, reads
    # the primary (only with DATABASE_REPLICA_URL; retorno.core.db.replica).
    "retorno.core.db.replica.ReplicaPinMiddleware",
    # Then: a store's custom domain is accepted before anything reads the Host.
    "retorno.portal.domains.StoreDomainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "retorno.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "retorno.core.middleware.BodySizeLimitMiddleware",
    "retorno.core.middleware.NulCharacterMiddleware",
    "retorno.core.middleware.ApiMethodNotAllowedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "retorno.portal.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "retorno.core.csp.csp_nonce",
            ],
        },
    },
]

# SQLite is the embedded default; PostgreSQL in production (DATABASE_URL=postgres://...).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'retorno.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no var/ yet; SQLite creates the file but not its folder.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue instead of failing with "database is locked" on lock upgrade, and
    # the backend makes them wait in a queue that wakes the next one at once (ADR 8).
    DATABASES["default"]["ENGINE"] = "retorno.core.db.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An optional read replica: lists and pages that only read go there, except right after a
# write (retorno.core.db.replica). A browser reads the primary for this many seconds after a
# request that changed something: longer than the replica's usual lag.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=15)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db_url_config(DATABASE_REPLICA_URL),
        # Tests read the primary through the replica's name (no second test database).
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["retorno.core.db.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# Every catalog is in its app's locale/ folder, which Django finds by itself: no other folder.
LOCALE_PATHS: list[Path] = []
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files browsers ask for at the site's root (/favicon.ico), served by whitenoise like static ones.
WHITENOISE_ROOT = BASE_DIR / "retorno" / "core" / "static" / "root"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Shared by every web process: rate limits and caches must agree across processes. The database
# cache needs nothing extra; point CACHE_URL at Redis in production (redis://127.0.0.1:6379/1).
CACHES = {
    "default": env.cache_url("CACHE_URL", default="dbcache://retorno_cache"),
}

# How long a web process trusts an API key it has authenticated before looking it up again: a
# key revoked in another process stops working within this many seconds (at once in the process
# that revokes it). 0 looks the key up on every request.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=5)
# How long a web process keeps a store's settings read on every write (carriers booked,
# webhook endpoints, Shopify connection, notification settings) before reading them again; a
# change made in the same process is seen at once (retorno.core.storecache). 0: always read.
STORE_SETTINGS_CACHE_SECONDS = env.int("STORE_SETTINGS_CACHE_SECONDS", default=5)

# Password sign-ins (staff pages, admin): attempts allowed per account and per address within
# the window; then the form says when to try again (429).
SIGNIN_ATTEMPTS_PER_ACCOUNT = env.int("SIGNIN_ATTEMPTS_PER_ACCOUNT", default=5)
SIGNIN_ATTEMPTS_PER_ADDRESS = env.int("SIGNIN_ATTEMPTS_PER_ADDRESS", default=20)
SIGNIN_WINDOW_SECONDS = env.int("SIGNIN_WINDOW_SECONDS", default=15 * 60)
# The portal's order lookup, throttled the same way: wrong e-mails for one order number from one
# address, and wrong lookups from one address whatever the order.
PORTAL_LOOKUP_ATTEMPTS_PER_ORDER = env.int("PORTAL_LOOKUP_ATTEMPTS_PER_ORDER", default=5)
PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS = env.int("PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS", default=20)
PORTAL_LOOKUP_WINDOW_SECONDS = env.int("PORTAL_LOOKUP_WINDOW_SECONDS", default=15 * 60)
# How many proxies in front of the server append to X-Forwarded-For: per-address limits count
# the address the outermost one saw. 0 (no proxy) counts REMOTE_ADDR.
RETORNO_TRUSTED_PROXIES = env.int("RETORNO_TRUSTED_PROXIES", default=0)

# Bodies above this are refused with 413 problem+json before any parsing.
RETORNO_MAX_BODY_BYTES = env.int("RETORNO_MAX_BODY_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = RETORNO_MAX_BODY_BYTES
# A form with photos (3 per item, 5 MB each, several items): its files go to disk, not memory.
RETORNO_MAX_UPLOAD_BYTES = env.int("RETORNO_MAX_UPLOAD_BYTES", default=60 * 1024 * 1024)

# Background jobs: Celery on Redis or RabbitMQ; with no broker they run in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# The queue the web processes publish to and the workers consume: deployments sharing a broker
# each use their own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# One queue per kind of work (retorno.core.queues says which goes where): the outbox queue is
# CELERY_QUEUE itself, the others CELERY_QUEUE.<kind>. Outbox deliveries are routed by their
# message's kind when published; the scheduled tasks here.
CELERY_TASK_ROUTES = {
    f"retorno.{task}": {
        "queue": CELERY_TASK_DEFAULT_QUEUE
        if kind == "outbox"
        else f"{CELERY_TASK_DEFAULT_QUEUE}.{kind}"
    }
    for task, kind in {
        "core.tasks.outbox_sweep": "outbox",
        "core.tasks.partitions_create_ahead": "outbox",
        "returns.tasks.shipments_poll": "tracking",
        "returns.tasks.instant_exchange_charge_backs": "outbox",
        "returns.tasks.instant_exchange_reminders": "outbox",
        "returns.tasks.comments_classify_sweep": "analytics",
        "returns.tasks.status_tally_fold": "analytics",
        "analytics.tasks.supplier_alerts_check": "analytics",
        "connectors.woocommerce.tasks.woocommerce_poll": "outbox",
        "analytics.tasks.weekly_digests": "analytics",
    }.items()
}
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker: "thread" delivers outbox messages on a background thread of the web process,
# "sync" inline after commit (tests, scripts).
RETORNO_INPROCESS_JOBS = env.str("RETORNO_INPROCESS_JOBS", default="thread")
# Keep the analytics rollups in the transaction of every change (docs/analytics.md). Off only
# to measure what keeping them costs; run `retorno analytics rebuild` after turning it back on.
RETORNO_ANALYTICS_ROLLUPS = env.bool("RETORNO_ANALYTICS_ROLLUPS", default=True)

# `retorno serve`: where it listens, and gunicorn's processes (0: two per CPU) and threads.
RETORNO_HOST = env.str("RETORNO_HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=0)
WEB_THREADS = env.int("WEB_THREADS", default=1)
WEB_TIMEOUT = env.int("WEB_TIMEOUT", default=30)
# A broker restart: workers reconnect for as long as it takes (also when they start before
# it), and a publish from a request is retried for about a second and a half before it is
# given up (the outbox row stays pending and the sweeper sends it). No result backend: nothing
# reads task results, so there is none to lose.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True

# How refunds reach the shopper's payment: "manual" (finance marks them paid) or "console"
# (logs, for the demo); a store can choose its own in its money settings.
RETORNO_PAYMENT_ADAPTER = env.str("RETORNO_PAYMENT_ADAPTER", default="manual")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds each step of an SMTP conversation may wait (connect, EHLO, … DATA, QUIT).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Seconds a worker's claim on an outbox message holds before the sweeper hands the message to
# another worker (the first one died). Longer than the slowest send: `retorno check` refuses a
# value under EMAIL_TIMEOUT times the steps of one SMTP conversation.
RETORNO_OUTBOX_CLAIM_SECONDS = env.int("RETORNO_OUTBOX_CLAIM_SECONDS", default=300)
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (what `make run` uses),
# every sending is a file in this folder.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="") or str(VAR_DIR / "mail")
# Text messages to shoppers: dotted path of a channel backend; empty logs them to the console.
NOTIFY_SMS_BACKEND = env.str("NOTIFY_SMS_BACKEND", default="")
NOTIFY_WHATSAPP_BACKEND = env.str("NOTIFY_WHATSAPP_BACKEND", default="")
# Twilio's Messages API, for NOTIFY_SMS_BACKEND=retorno.notifications.sms_twilio.TwilioSms: the
# account, its auth token, the sending number (or a Messaging Service SID, MG...), the API's URL.
NOTIFY_TWILIO_ACCOUNT_SID = env.str("NOTIFY_TWILIO_ACCOUNT_SID", default="")
NOTIFY_TWILIO_AUTH_TOKEN = env.str("NOTIFY_TWILIO_AUTH_TOKEN", default="")
NOTIFY_TWILIO_FROM = env.str("NOTIFY_TWILIO_FROM", default="")
NOTIFY_TWILIO_API_URL = env.str("NOTIFY_TWILIO_API_URL", default="https://api.twilio.com")
# Settings of the code, not of an installation (no environment variable): declared here so the
# code reads settings.X and never carries a default of its own.
WAREHOUSE_PHOTO_MAX_BYTES = 8 * 1024 * 1024
BACKOFFICE_CLAIM_PHOTO_MAX_BYTES = 8 * 1024 * 1024
PORTAL_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Claims a shopper may open on one order from the portal: (how many, in how many seconds).
PORTAL_CLAIM_LIMIT = (5, 86400)
# How many days before an instant exchange's deadline the shopper is reminded to send the
# original back.
RETORNO_INSTANT_EXCHANGE_REMINDER_DAYS = 3
# How many days a signed link to an order's returns page stays valid.
PORTAL_ORDER_LINK_DAYS = 365
# Events older than this send nothing: imports and backfills must not email shoppers.
NOTIFY_MAX_EVENT_AGE = timedelta(
    seconds=env.int("NOTIFY_MAX_EVENT_AGE_SECONDS", default=2 * 24 * 3600)
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="returns@retorno.local")

# Outbound calls on a store's behalf (carrier APIs) go to public https addresses only. On for
# development and tests, where the carrier simulator listens on 127.0.0.1 over http.
RETORNO_ALLOW_PRIVATE_URLS = env.bool("RETORNO_ALLOW_PRIVATE_URLS", default=False)

# Public address of this service, used in links sent to shoppers (tracking pages).
RETORNO_PUBLIC_URL = env.str("RETORNO_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto, the site is https only: plain http
# is redirected (except the load balancer's /health), browsers are told to stay on https
# (HSTS) and cookies are sent over https only. Each can be set apart.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=BEHIND_TLS_PROXY)
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Asking to be preloaded into browsers is the domain owner's decision (it binds the whole
# domain for months): opt in with SECURE_HSTS_PRELOAD=true.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=BEHIND_TLS_PROXY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
# With a file, logs (and `retorno serve`'s access log) go there and the terminal shows only
# errors: `make run` keeps its summary on screen so.
LOG_FILE = env.str("LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": "ERROR" if LOG_FILE else "NOTSET",
        },
        **(
            {
                "file": {
                    "class": "logging.handlers.WatchedFileHandler",
                    "formatter": "plain",
                    "filename": LOG_FILE,
                    "delay": True,
                }
            }
            if LOG_FILE
            else {}
        ),
    },
    "root": {"handlers": ["console", "file"] if LOG_FILE else ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
if LOG_FILE:
    Path(LOG_FILE).parent.mkdir(parents=True, exist_ok=True)

# `retorno worker --beat` keeps when each job last ran here, not in the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Re-drives messages committed but never handed to a worker (a process that died between
    # its commit and the publish) and failed attempts that are due again.
    "outbox-sweep": {
        "task": "retorno.core.tasks.outbox_sweep",
        "schedule": env.float("RETORNO_OUTBOX_SWEEP_SECONDS", default=60.0),
    },
    "shipments-poll": {"task": "retorno.returns.tasks.shipments_poll", "schedule": 900.0},
    # The dashboard sums the status tally: fold what a minute of work appended.
    "status-tally-fold": {"task": "retorno.returns.tasks.status_tally_fold", "schedule": 60.0},
    # Months ahead for tables switched to monthly partitions (ADR 16); a no-op before that.
    "partitions-ahead": {"task": "retorno.core.tasks.partitions_create_ahead", "schedule": 86400.0},
    "instant-exchange-charge-backs": {
        "task": "retorno.returns.tasks.instant_exchange_charge_backs",
        "schedule": 3600.0,
    },
    "instant-exchange-reminders": {
        "task": "retorno.returns.tasks.instant_exchange_reminders",
        "schedule": 3600.0,
    },
    "comments-classify-sweep": {
        "task": "retorno.returns.tasks.comments_classify_sweep",
        "schedule": 3600.0,
    },
    "supplier-alerts-check": {
        "task": "retorno.analytics.tasks.supplier_alerts_check",
        "schedule": 3600.0,
    },
    # WooCommerce does not retry webhooks: connected stores' changed orders are read too.
    "woocommerce-poll": {
        "task": "retorno.connectors.woocommerce.tasks.woocommerce_poll",
        "schedule": 300.0,
    },
    # Hourly, so every store's Monday morning is seen in its own zone.
    "weekly-digests": {"task": "retorno.analytics.tasks.weekly_digests", "schedule": 3600.0},
}
