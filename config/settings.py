"""Settings, read from the environment.

With no variable set this is the embedded demo: SQLite in var/, no Redis (Celery runs tasks
in-process, the cache is local memory), DEBUG on. `DATABASE_URL` and `REDIS_URL` switch to
PostgreSQL and Redis; `DJANGO_ENV=production` turns on the hardened settings that pass
`manage.py check --deploy` (it then requires `DJANGO_SECRET_KEY` and `DJANGO_ALLOWED_HOSTS`).
Every variable an operator can set is listed in the README.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_int_list, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "dev-only-key-never-used-in-production-3f9a7c1e5b2d4086a1c7e9f0b3d5a7c9e1f3"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_celery_beat",
    "import_export",
    "deputies",
    "proposals",
    "handling",
    "supervision",
    "reports",
    "demo",
]

MIDDLEWARE = [
    # First: /healthz answers before sessions, host checks and the HTTPS redirect (config/health.py).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "deputies.middleware.RefusedAccessAuditMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "proposals.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE makes a writing transaction take SQLite's lock at its start, so two
                # requests that both write wait for each other instead of failing half-way.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# (memory://localhost/ rather than memory://: kombu warns about a broker URL without a host.)
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without Redis the tasks run in-process, at the moment they are queued.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Without a worker the annual report's PDF is built in a thread, so its page shows the progress.
REPORT_JOBS_IN_THREAD = env_bool("REPORT_JOBS_IN_THREAD", CELERY_TASK_ALWAYS_EAGER)
# A task is acknowledged when it has finished, not when a worker took it, and one whose worker
# process died (killed, out of memory) goes back to the queue: every task is safe to run twice
# (the drain skips what was sent, a report job runs only on its turn, the scan sends what is
# missing).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds a task may run: past the soft limit it is interrupted (a report job then fails with
# the reason), past the hard one its process is killed. The longest tasks are the annual
# report's PDF (seconds to a few minutes) and the daily scan (under 30 s for 100,000 items).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
# Redis hands a task that was taken but never acknowledged (its worker vanished) to another
# worker after this many seconds. It must be longer than any task may run (the hard limit),
# or a task still running would be started a second time.
visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
# Seconds to wait for Redis when a page queues a task (deputies/broker.py): with Redis down the
# page does not wait longer than this, and what the task would do is picked up later.
BROKER_CONNECT_TIMEOUT = env_int("BROKER_CONNECT_TIMEOUT", 2)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": visibility_timeout,
    "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
}
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < visibility_timeout:
    raise ImproperlyConfigured(
        "CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT must hold (seconds)"
    )
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- The outbox (proposals/outbox.py) and the report jobs' sweeper (reports/jobs.py) -----------
# A message that failed is tried again after OUTBOX_RETRY_SECONDS, then twice as long after
# each further failure, and given up after OUTBOX_MAX_ATTEMPTS (about two hours with these).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
# One drain sends for at most this many seconds; beat's next run (every minute) goes on.
OUTBOX_DRAIN_SECONDS = env_int("OUTBOX_DRAIN_SECONDS", 50)
if OUTBOX_DRAIN_SECONDS >= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("OUTBOX_DRAIN_SECONDS must be shorter than CELERY_TASK_SOFT_TIME_LIMIT")
# The health endpoint reports the outbox when a message has waited longer than this.
HEALTH_OUTBOX_MAX_AGE_MINUTES = env_int("HEALTH_OUTBOX_MAX_AGE_MINUTES", 15)
# A report job with no sign of life (progress) for this many seconds is taken to have lost its
# worker: it is queued again, at most REPORT_JOB_MAX_ATTEMPTS times in all, then failed.
REPORT_JOB_STALE_SECONDS = env_int("REPORT_JOB_STALE_SECONDS", 300)
REPORT_JOB_MAX_ATTEMPTS = env_int("REPORT_JOB_MAX_ATTEMPTS", 3)

# --- Auth and the security baseline (等保 2.0 level 3) --------------------------------------
AUTH_USER_MODEL = "deputies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "deputies.passwords.CharacterClassesValidator"},
]

# Lock an account after this many failed logins, for this long.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
# The account is locked, whatever the address: offices reach the app through one NAT address,
# so locking by IP would lock out a whole building after one person's typos (hence axes.W006
# is silenced below, deliberately).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The lock lasts the set time from the lockout; attempts during it do not prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Idle timeout: the session expires this long after the last request.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

SILENCED_SYSTEM_CHECKS = ["axes.W006"]

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_SSL_REDIRECT:
        # TLS ends at the reverse proxy on an intranet: the redirect is the proxy's job.
        SILENCED_SYSTEM_CHECKS.append("security.W008")

# --- Language and time ------------------------------------------------------------------------
# The interface always speaks Simplified Chinese, whatever language the browser asks for:
# no LocaleMiddleware. Code and msgids are English; translations live in the .po files.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
if not PRODUCTION:
    # WhiteNoise expects the folder; in production `collectstatic` fills it.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "建议办理系统 <noreply@localhost>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# --- The places' rules (see the domain brief: these vary between congresses) --------------------
# Periods are written as a number and a unit: "3m" is three months, "15d" fifteen days.
REPLY_PERIOD = env_str("REPLY_PERIOD", "3m")
COMPLEX_REPLY_PERIOD = env_str("COMPLEX_REPLY_PERIOD", "6m")
REHANDLING_PERIOD = env_str("REHANDLING_PERIOD", "1m")
CO_OPINION_PERIOD = env_str("CO_OPINION_PERIOD", "1m")
REASSIGNMENT_WINDOW_WORKDAYS = env_int("REASSIGNMENT_WINDOW_WORKDAYS", 5)
REQUIRED_COSIGNERS = env_int("REQUIRED_COSIGNERS", 0)
STAFF_REVIEWS_REPLIES = env_bool("STAFF_REVIEWS_REPLIES", True)
# --- Supervision and reminders -------------------------------------------------------------------
# The daily scan (supervision.reminders.run_daily_scan): beat runs it every morning, or cron
# through `manage.py daily_scan`. Each reminder goes out once per item, occasion and person.
# Days before a reply deadline on which the unit handler is reminded.
REMINDER_DAYS_BEFORE = sorted(set(env_int_list("REMINDER_DAYS_BEFORE", [15, 7, 1])), reverse=True)
# An overdue reply is reported to the unit head and staff, again every this many days.
OVERDUE_REPEAT_DAYS = env_int("OVERDUE_REPEAT_DAYS", 7)
# Overdue by more than this many days: escalated to the supervision office.
ESCALATE_AFTER_DAYS = env_int("ESCALATE_AFTER_DAYS", 30)
# The lead deputy is reminded to rate a reply left unrated this many days.
RATING_REMINDER_DAYS = env_int("RATING_REMINDER_DAYS", 15)
# Units are reminded of each open B-class promise every this many months.
PROMISE_REMINDER_MONTHS = env_int("PROMISE_REMINDER_MONTHS", 3)
# Default interval of the units' progress reports on key suggestions (each key item can differ).
KEY_REPORT_INTERVAL_DAYS = env_int("KEY_REPORT_INTERVAL_DAYS", 30)
# An urging notice not acknowledged after this many days is sent to the unit again.
URGING_ACK_DAYS = env_int("URGING_ACK_DAYS", 3)
# Who sends text messages for reminders and urging notices: a dotted path to a class with
# `send(phone, text)` (see proposals/sms.py); the default only writes them to the log.
# Empty: no text messages.
SMS_SENDER = env_str("SMS_SENDER", "proposals.sms.LoggingSmsSender")
# The login page lists the demo accounts (never in production unless asked for).
SHOW_DEMO_LOGINS = env_bool("SHOW_DEMO_LOGINS", not PRODUCTION)
CONGRESS_NAME = env_str("CONGRESS_NAME", "示范区人民代表大会常务委员会")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "ERROR"},
        # WeasyPrint logs every layout step at INFO; only its warnings are worth reading.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
