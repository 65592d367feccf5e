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
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_int_list, env_list, env_rate, env_str

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
    "csp",
    "django_celery_beat",
    "import_export",
    # Not "rest_framework": only its browsable API needs it, and its translations would
    # replace Django's own (这个字段是必填项 on every form). The API speaks JSON only.
    "drf_spectacular",
    "drf_spectacular_sidecar",
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
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After the security headers, so that its pages get them; before sessions, accounts and
    # views, so that it sees every technical page DEBUG makes, whichever of them failed.
    "deputies.errors.TechnicalPagesForAdminsOnlyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside the sessions middleware, so that it marks the session before that one saves it.
    "deputies.middleware.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "deputies.middleware.RefusedAccessAuditMiddleware",
    # After authentication: a member's and the proposals committee's pages speak their words.
    "deputies.streams.StreamWordsMiddleware",
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

# Django's, with a select's options written in Python rather than two templates each (the
# 300 units' selects cost more than their pages' queries): deputies/form_renderer.py.
FORM_RENDERER = "deputies.form_renderer.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # PostgreSQL's JIT compiles a plan when its estimated cost is high; the app's queries are
        # short reads over indexes, where the compilation alone costs ten times the query (the
        # deputy's "my suggestions" at 100,000 suggestions: 526 ms with it, 47 ms without).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
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
# PostgreSQL in production uses two roles (README, "Two database roles"): DATABASE_URL is the
# application's, which owns nothing; DATABASE_OWNER_URL the owner's, which owns the tables and
# is used only by `bin/as-owner` (migrations, the audit purge, restores) and `manage.py db_roles`.
# Keep it out of the web's and the workers' environment.
DATABASE_OWNER_URL = env_str("DATABASE_OWNER_URL")
# "owner" when `bin/as-owner` connects as the owner on purpose; the system check that warns
# when the application's connection owns the tables is then silent.
DATABASE_ROLE = env_choice("DATABASE_ROLE", "app", ("app", "owner"))

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
# django-celery-beat's DatabaseScheduler behind a lock: a second beat waits instead of sending
# every periodic task twice (config/beat.py says how, and why this lock).
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
# How often a waiting beat tries to take over.
BEAT_LOCK_RETRY_SECONDS = env_int("BEAT_LOCK_RETRY_SECONDS", 10)

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
    # Django's, loading the user with its deputy record and unit membership in one query.
    "deputies.backends.UserBackend",
    # A one-time code sent to the account's mobile number (deputies/otp.py).
    "deputies.backends.PhoneCodeBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The password rules (deputies/passwords.py). The character rule also stands in for Django's
# minimum-length and all-digits validators: it counts only characters that are not whitespace,
# and three classes out of four are never all digits.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
# A new password may not be any of this many last ones, the current one included.
PASSWORD_HISTORY_COUNT = env_int("PASSWORD_HISTORY_COUNT", 5)
for _name, _value in (("PASSWORD_MIN_LENGTH", PASSWORD_MIN_LENGTH), ("PASSWORD_HISTORY_COUNT", PASSWORD_HISTORY_COUNT)):
    if _value < 1:
        raise ImproperlyConfigured(f"{_name}={_value!r} must be at least 1")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "deputies.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "deputies.passwords.DressedUpCommonPasswordValidator"},
    {
        "NAME": "deputies.passwords.PasswordHistoryValidator",
        "OPTIONS": {"remember": PASSWORD_HISTORY_COUNT},
    },
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
# Failed logins are counted in the database, so every instance of one installation sees them all
# (a cache handler would count per process without Redis).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# A one-time code typed at a failed login is not kept with the attempt (nor is a password).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "phone"]
# The lockout answer: the page for the pages, JSON (429) for the API (deputies/otp.py).
AXES_LOCKOUT_CALLABLE = "deputies.otp.lockout_response"

# Phone-number login and password reset with a one-time code by text message (deputies/otp.py):
# on or off (the pages' 短信验证码登录 and 忘记密码, and the API's /auth/sms/ and /auth/token/).
LOGIN_SMS = env_bool("LOGIN_SMS", True)
# Codes a number may be sent: one per SMS_CODE_INTERVAL_SECONDS, SMS_CODE_DAILY_LIMIT a day;
# codes one address may ask for in an hour (any numbers).
SMS_CODE_INTERVAL_SECONDS = env_int("SMS_CODE_INTERVAL_SECONDS", 60)
SMS_CODE_DAILY_LIMIT = env_int("SMS_CODE_DAILY_LIMIT", 10)
SMS_CODE_IP_HOURLY_LIMIT = env_int("SMS_CODE_IP_HOURLY_LIMIT", 30)
# These roles log in with their password and then a code sent to their phone (two factors);
# e.g. "staff,admin" (a superuser counts as admin). Empty: nobody.
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", [])

# Sessions live in the database: a login through one instance holds on every other one, and a
# logout on one ends it everywhere.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle timeout: the session expires this long after the last request.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# The session row is written when its data change, and otherwise at most once a minute to push
# its end back (deputies.middleware.IdleTimeoutMiddleware): an idle session ends 29 to 30
# minutes after the last request, never later.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Security audit records are kept this many days, then purged by the owner role
# (`bin/as-owner purge_audit_records`, monthly from cron). The Cybersecurity Law (网络安全法,
# article 21) asks for network logs to be kept at least six months: a shorter period stops the start.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 3 * 365)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS} is below the minimum of 180 days")

SILENCED_SYSTEM_CHECKS = ["axes.W006"]

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): everything comes from the app itself (no CDN), no
# script or style written into a page (no inline <script>, on…= handler or style="…"), no
# eval; scripts and styles are static files. A page can be framed by no one and post only to
# the app. Under DEBUG django-csp leaves 404 and 500 answers without it, for Django's
# technical pages (deputies/errors.py says who sees those).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# A refused form (an expired page's CSRF token) answers with our 403 page, not Django's.
CSRF_FAILURE_VIEW = "deputies.errors.csrf_failure"
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
# The proposal stream's catalog (zh-hans-proposal, deputies/streams.py) keeps the Chinese formats.
FORMAT_MODULE_PATH = ["config.formats"]
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
# Uploads, the saved import workbooks and the report PDFs all go through Django's storage API
# (the "default" storage below), never through a local path, so that several web instances and
# the Celery worker share them: either a directory they all mount at MEDIA_ROOT (NFS), or an
# S3-compatible object store. Files are never served from MEDIA_URL: each download is a view
# that checks access first and streams the file from the storage.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_STORAGE = env_choice("FILE_STORAGE", "filesystem", ("filesystem", "s3"))
FILE_STORAGE_BACKEND: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if FILE_STORAGE == "s3":
    S3_BUCKET = env_str("S3_BUCKET")
    if not S3_BUCKET:
        raise ImproperlyConfigured("S3_BUCKET must be set when FILE_STORAGE=s3")
    FILE_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Empty: Amazon S3 itself; otherwise the store's address, e.g. http://minio:9000.
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            # Empty: boto3 finds credentials itself (AWS_* variables, an instance role).
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            # Some stores answer only one style (Aliyun OSS: virtual; many MinIO setups: path).
            "addressing_style": {"auto": None, "path": "path", "virtual": "virtual"}[
                env_choice("S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual"))
            ],
            # Objects stay private: no ACL is sent, so the bucket's own (private) setting applies,
            # and the app never hands out an object's URL. Should anything ever ask for one, it is
            # a signed URL that expires, never a public one.
            "default_acl": None,
            "querystring_auth": True,
            # A name already taken gets a new one instead of overwriting (django-storages'
            # default overwrites); upload paths also carry a random folder, because a name check
            # followed by a write is not atomic across instances on an object store.
            "file_overwrite": False,
            # A download is buffered in memory up to this size, then in a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
STORAGES = {
    "default": FILE_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 20)
# What a .docx or .xlsx may hold (proposals/uploads.py): a real document has tens of parts and
# unpacks to a few times its size; a zip bomb has thousands, or unpacks a thousandfold.
UPLOAD_ZIP_MAX_ENTRIES = env_int("UPLOAD_ZIP_MAX_ENTRIES", 1000)
UPLOAD_ZIP_MAX_UNPACKED_MB = env_int("UPLOAD_ZIP_MAX_UNPACKED_MB", 10 * UPLOAD_MAX_MB)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100)  # Apache POI's default (min. inflate ratio 0.01)
# A photo from a 50-megapixel camera passes; a PNG that asks the browser for gigabytes does not.
UPLOAD_IMAGE_MAX_MEGAPIXELS = env_int("UPLOAD_IMAGE_MAX_MEGAPIXELS", 100)
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
# Deadline extensions (申请延期): how many may be approved per assignment, and how far past the
# deadline it moves the new date may lie.
EXTENSION_MAX_COUNT = env_int("EXTENSION_MAX_COUNT", 1)
EXTENSION_MAX_MONTHS = env_int("EXTENSION_MAX_MONTHS", 3)
# Working days after a deputy's rating during which they may still change it (0: final at once).
RATING_CHANGE_WORKDAYS = env_int("RATING_CHANGE_WORKDAYS", 3)
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
# A person who would get more reminders of one kind than this in one scan gets one notice
# listing them instead (and one text message); staff and supervision get overdue ones as a list.
REMINDER_DIGEST_AFTER = env_int("REMINDER_DIGEST_AFTER", 10)
# Units are reminded of each open B-class promise every this many months.
PROMISE_REMINDER_MONTHS = env_int("PROMISE_REMINDER_MONTHS", 3)
# Default interval of the units' progress reports on key suggestions (each key item can differ).
KEY_REPORT_INTERVAL_DAYS = env_int("KEY_REPORT_INTERVAL_DAYS", 30)
# An urging notice not acknowledged after this many days is sent to the unit again.
URGING_ACK_DAYS = env_int("URGING_ACK_DAYS", 3)
# Who sends text messages for reminders and urging notices: a dotted path to a class with
# `send(phone, text)` (see proposals/sms.py); the default only writes them to the log.
# Empty: no text messages.
SMS_SENDER = env_str("SMS_SENDER", "deputies.sms.LoggingSmsSender")
# deputies.sms.FileSmsSender (development only) appends every message to this file.
SMS_FILE = env_str("SMS_FILE", str(VAR_DIR / "sms.jsonl"))
if PRODUCTION and SMS_SENDER.endswith(".FileSmsSender"):
    raise ImproperlyConfigured("SMS_SENDER=…FileSmsSender writes codes to a file: never in production")
if TWO_FACTOR_ROLES and not SMS_SENDER:
    raise ImproperlyConfigured("TWO_FACTOR_ROLES needs a text-message sender (SMS_SENDER is empty)")
# 阿里云短信 (deputies/sms_aliyun.py, SMS_SENDER=deputies.sms_aliyun.AliyunSmsSender).
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME")
ALIYUN_SMS_TEMPLATE = env_str("ALIYUN_SMS_TEMPLATE")
ALIYUN_SMS_CODE_TEMPLATE = env_str("ALIYUN_SMS_CODE_TEMPLATE")
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
# --- Liaison stations and residents' matters (deputies/matters.py) ------------------------------
# A resident's phone and photo are removed this many days after the matter was received
# (manage.py purge_resident_data, daily through beat).
RESIDENT_DATA_DAYS = env_int("RESIDENT_DATA_DAYS", 365)
# Matters one address may leave, and lookups it may try, per hour (the public intake pages).
RESIDENT_MATTERS_PER_HOUR = env_int("RESIDENT_MATTERS_PER_HOUR", 5)
RESIDENT_LOOKUPS_PER_HOUR = env_int("RESIDENT_LOOKUPS_PER_HOUR", 30)
# A matter's text, and its photo (JPG or PNG), at most.
RESIDENT_TEXT_MAX_CHARS = env_int("RESIDENT_TEXT_MAX_CHARS", 2000)
RESIDENT_PHOTO_MAX_MB = env_int("RESIDENT_PHOTO_MAX_MB", 5)
# Seconds the intake form must have been open before it is sent (a person reads and types;
# a script posts at once), and how long its question stays valid.
RESIDENT_MIN_FILL_SECONDS = env_int("RESIDENT_MIN_FILL_SECONDS", 3)
RESIDENT_CHALLENGE_MAX_AGE = env_int("RESIDENT_CHALLENGE_MAX_AGE", 2 * 3600)
# A matter forwarded to a unit (民意件) is to be answered within this many working days.
MATTER_REFERRAL_WORKDAYS = env_int("MATTER_REFERRAL_WORKDAYS", 15)

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

# The public pages (/public/, no login; deputies/public.py): what an anonymous visitor is served
# is kept in the cache this many seconds (0: not kept), and each address may make this many
# requests (requests/period) before it is answered 429 for the rest of the period.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60)
PUBLIC_RATE = env_rate("PUBLIC_RATE", "120/minute")
# Behind a reverse proxy, the header that carries the visitor's address (e.g. X-Real-IP, which
# the proxy must set itself); empty: the connection's address.
PUBLIC_CLIENT_IP_HEADER = env_str("PUBLIC_CLIENT_IP_HEADER", "")

# The HTTP API (deputies/api/): personal tokens, their lifetime in days and the requests each
# may make (per token, counted in the cache). No CORS headers: browsers on other sites get none.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
# The short-lived token a phone code or a WeChat login gives (deputies/api/login.py), and the
# requests the login endpoints take per address and per phone number.
API_LOGIN_TOKEN_HOURS = env_int("API_LOGIN_TOKEN_HOURS", 2)
API_AUTH_RATE = env_str("API_AUTH_RATE", "30/hour")
# The WeChat mini-program (deputies/wechat.py): its AppID and AppSecret; empty: no WeChat login.
WECHAT_APPID = env_str("WECHAT_APPID")
WECHAT_SECRET = env_str("WECHAT_SECRET")
WECHAT_API_URL = env_str("WECHAT_API_URL", "https://api.weixin.qq.com")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "deputies.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["deputies.api.auth.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["deputies.api.auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE", "600/hour"),
        "public": env_str("API_PUBLIC_RATE", "300/hour"),
    },
    "DEFAULT_PAGINATION_CLASS": "deputies.api.auth.Pages",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "deputies.api.auth.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "建议办理 API",
    "DESCRIPTION": "代表建议办理系统的 HTTP API。认证：Authorization: Bearer <个人令牌>。",
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs for signed-in people and tokens only, like every endpoint.
    "SERVE_PERMISSIONS": ["deputies.api.auth.TokenScope"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SatisfactionEnum": "handling.models.Satisfaction",
        "ProposalStateEnum": "proposals.states.ProposalState",
        "ReplyStateEnum": "handling.models.Reply.State",
        "ContactKindEnum": "handling.models.ContactRecord.Kind",
        "NotificationKindEnum": "proposals.models.Notification.Kind",
    },
}
