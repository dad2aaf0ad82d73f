"""The one settings module. Everything that differs between machines comes from the environment.

Embedded default (nothing set): SQLite under var/, a filesystem Celery broker under var/broker,
local-memory cache. Production: DATABASE_URL=postgres://..., REDIS_URL=redis://... (broker
and cache).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from dispatch.settings.environment import env_bool, env_int, env_json, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("DISPATCH_VAR_DIR", str(BASE_DIR / "var")))
# The embedded default keeps its database, broker queue and static files here.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    # No key given: make one per installation and keep it, so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS everywhere unless DEBUG is on; each can be switched off by the variable of the same name
# for a plain-http local run (rundemo does).
_secure = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _secure)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _secure)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a TLS-terminating proxy: "HTTP_X_FORWARDED_PROTO,https" (header, value). Only set it
# when the proxy always sets that header, or a client could claim HTTPS.
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_header:
    if len(_proxy_header) != 2:
        raise ValueError("SECURE_PROXY_SSL_HEADER must be 'HEADER,value', e.g. "
                         "'HTTP_X_FORWARDED_PROTO,https'")
    SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1])
# Load balancers and Prometheus probe over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$", r"^metrics$"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",  # login throttling (org.login_guard)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "tickets",
    "org",
    "routing_model",
    "sla",
    "notifiers",
    "django_htmx",
    "console",
    "reports",
    "dispatch",  # the project: its commands and Celery signal handlers
    "demo",  # make demo's harness; production code never imports it
]

MIDDLEWARE = [
    "dispatch.middleware.RequestIdMiddleware",
    "dispatch.ops.probes.ProbeMiddleware",
    "dispatch.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dispatch.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An admin list filter the database refuses (a NUL, an impossible offset): 302 ?e=1, no 500.
    "dispatch.admin_lookups.AdminLookupGuardMiddleware",
    "dispatch.idle_sessions.IdleSessionMiddleware",
    # Last, as axes asks: turns a login that hit a lock into the lockout page.
    "axes.middleware.AxesMiddleware",
]
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"

ROOT_URLCONF = "dispatch.urls"
WSGI_APPLICATION = "dispatch.wsgi.application"

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
                "console.context_processors.personal_data",
            ],
        },
    },
]

_sqlite_default = f"sqlite:///{VAR_DIR / 'dispatch.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _sqlite_default),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection the server has dropped (restart, pg_terminate_backend) is noticed
        # before the request uses it, not by the request failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to one file: WAL lets readers run beside the writer, IMMEDIATE
    # takes the write lock up front so two writers queue instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Signing in: login throttling, API tokens, idle sessions -----------------------------------
# The login throttle (django-axes, org.login_guard) goes first; the password check after it.
AUTHENTICATION_BACKENDS = [
    "org.login_guard.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed logins in a row for one username from one address (the console, the
# admin and POST /api/auth/token/ all count), that pair is locked for LOGIN_COOLOFF_MINUTES;
# 0 minutes: until an admin unlocks it (admin: Axes › Access attempts, or axes_reset_username).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 30)
# Behind this many proxies that each append to X-Forwarded-For, the client's address is read
# from there (0: the connection's address).
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES) if LOGIN_COOLOFF_MINUTES else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "org.login_guard.client_address"
AXES_LOCKOUT_CALLABLE = "console.views.errors.login_locked"
AXES_HTTP_RESPONSE_CODE = 429
# A form refused for its CSRF token: the console's Chinese 403 page, not Django's English one.
CSRF_FAILURE_VIEW = "console.views.errors.csrf_failure"
# API tokens (tickets.api.tokens) stop working this long after they were issued.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 12)
# A console or admin session ends after this long without the person doing anything (the
# queues' own polling does not count), and in any case SESSION_MAX_HOURS after signing in.
CONSOLE_IDLE_MINUTES = env_int("CONSOLE_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The image collects static files at build time, outside the data directory (STATIC_ROOT=...).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# Photos on tickets (the default storage), under the data directory: the image's one writable
# place. Never served as static files: the console streams each after a visibility check. With
# several web machines this must be a volume they all mount, or another storage backend that
# every machine reaches (MEDIA_STORAGE_BACKEND / MEDIA_STORAGE_OPTIONS, e.g. an object store).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": env_str("MEDIA_STORAGE_BACKEND",
                           "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("MEDIA_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Router artifacts, readable by every machine: the database unless another backend is named
    # (e.g. django.core.files.storage.FileSystemStorage on a shared volume, with
    # ROUTER_MODEL_STORAGE_OPTIONS='{"location": "/mnt/models"}').
    "router_models": {
        "BACKEND": env_str("ROUTER_MODEL_STORAGE_BACKEND",
                           "routing_model.storage.DatabaseStorage"),
        "OPTIONS": env_json("ROUTER_MODEL_STORAGE_OPTIONS", {}),
    },
}

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tickets.api.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tickets.api.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "民意速办 API",
    "DESCRIPTION": "渠道受理（签名 webhook）、工单查询与全过程记录。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: the docs page works without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "state"; the ticket's keeps the plain name.
    "ENUM_NAME_OVERRIDES": {"TicketStateEnum": "tickets.models.TicketState"},
}

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server: queue files under var/broker, shared by web, worker and beat.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, str | int] = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_ACKS_LATE = True
# Queueing happens after commit and a lost message costs only a sweep (the rows say what is
# owed), so a broker that is down is given up on quickly instead of holding the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0,
                                    "interval_step": 0.1, "interval_max": 0.1}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# One static entry per periodic job; per-ticket timers are rows on the ticket, never beat entries.
# Beat and every worker record their own heartbeat this often (dispatch/celery_liveness.py);
# /readyz/ wants both younger than READY_HEARTBEAT_MAX_AGE_SECONDS.
DISPATCH_HEARTBEAT_SECONDS = env_int("DISPATCH_HEARTBEAT_SECONDS", 30)
READY_HEARTBEAT_MAX_AGE_SECONDS = env_int("READY_HEARTBEAT_MAX_AGE_SECONDS", 120)
READY_BROKER_TIMEOUT_SECONDS = env_int("READY_BROKER_TIMEOUT_SECONDS", 2)
CELERY_BEAT_SCHEDULER = "dispatch.ops.celery_liveness:HeartbeatScheduler"
# The nightly retrain has a queue (and a worker) of its own, so a long retrain never delays
# routing, timers or callbacks; everything else goes to the default queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"routing_model.tasks.router_retrain_task": {"queue": "retrain"}}
CELERY_BEAT_SCHEDULE = {
    # Tickets left in "received" (a routing message lost with a dead worker), callbacks and
    # notices not yet delivered.
    "intake-sweeper": {
        "task": "tickets.tasks.intake_sweep_task",
        "schedule": float(env_int("INTAKE_SWEEP_SECONDS", 30)),
    },
    # Every passed SLA warning or deadline not yet acted on (a lost timer loses nothing).
    "sla-sweeper": {
        "task": "sla.tasks.sla_sweep_task",
        "schedule": float(env_int("SLA_SWEEP_SECONDS", 30)),
    },
    "router-nightly-retrain": {
        "task": "routing_model.tasks.router_retrain_task",
        # 02:00 in CELERY_TIMEZONE (Asia/Shanghai)
        "schedule": crontab(hour=2, minute=0),
    },
    # Personal data past its retention (INTAKE_BODY_RETENTION_DAYS, CITIZEN_DATA_RETENTION_DAYS).
    "privacy-retention": {
        "task": "tickets.tasks.privacy_retention_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Sums of the days whose tickets can no longer change (reports.settled), before the reports.
    "report-settle": {
        "task": "reports.tasks.report_days_settle_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # 日报 / 周报 / 月报 for the day, week and month just ended (reports.scheduled).
    "report-daily": {
        "task": "reports.tasks.report_scheduled_task",
        "schedule": crontab(hour=6, minute=0),
        "kwargs": {"granularity": "day"},
    },
    "report-weekly": {
        "task": "reports.tasks.report_scheduled_task",
        "schedule": crontab(hour=6, minute=10, day_of_week="mon"),
        "kwargs": {"granularity": "week"},
    },
    "report-monthly": {
        "task": "reports.tasks.report_scheduled_task",
        "schedule": crontab(hour=6, minute=20, day_of_month="1"),
        "kwargs": {"granularity": "month"},
    },
}

# --- The domain ---------------------------------------------------------------------------------
# A ticket still in "received" this long after it was queued for routing is queued again by the
# intake sweeper (its message died with a worker; routing is idempotent).
ROUTE_STALE_SECONDS = env_int("ROUTE_STALE_SECONDS", 60)
# A raw intake record still unparsed this long after it was stored (its request died between
# the two commits) is finished by the intake sweeper.
INTAKE_RECORD_STALE_SECONDS = env_int("INTAKE_RECORD_STALE_SECONDS", 60)
TICKET_NUMBER_PREFIX = env_str("TICKET_NUMBER_PREFIX", "FT")
DISPATCH_DEMO_PASSWORD = env_str("DISPATCH_DEMO_PASSWORD", "minyi-demo-2026")
# Where people reach this service; commands that print links (set-password links) start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Dotted path of the router called for each new ticket ("" leaves tickets in received).
TICKET_ROUTER = env_str("TICKET_ROUTER", "tickets.dispatching.routing.ticket_route_predict")
# A routed ticket is assigned without a dispatcher when the model is at least this sure
# (per unit: Unit.auto_threshold); below it, the ticket waits in triage with the top-3.
DISPATCH_AUTO_THRESHOLD = float(env_str("DISPATCH_AUTO_THRESHOLD", "0.7"))
# The router's urgency estimate makes a ticket urgent from this probability on (signals and
# the channel's flag make it urgent regardless).
DISPATCH_URGENT_PROBABILITY = float(env_str("DISPATCH_URGENT_PROBABILITY", "0.8"))
# Working hours for clocks measured in working time (normal tickets' resolve limit).
SLA_WORKING_HOURS = env_str("SLA_WORKING_HOURS", "09:00-12:00,14:00-18:00")
# 考核得分: the weight of each rate in a unit's score (reports.figures; rates a unit has no
# data for are left out and the other weights scaled up).
REPORT_SCORE_WEIGHTS = {name: float(weight) for name, weight in env_json(
    "REPORT_SCORE_WEIGHTS",
    {"contact": 0.25, "meet": 0.15, "resolve": 0.35, "satisfaction_rate": 0.25}).items()}
# PostgreSQL's work_mem inside a report's transaction (reports.figures), so a year's sorts and
# hashes stay in memory.
REPORT_WORK_MEM = env_str("REPORT_WORK_MEM", "64MB")
# Scheduled reports (日报 / 周报 / 月报) kept this many days, then deleted (0: kept forever).
REPORT_FILE_RETENTION_DAYS = env_int("REPORT_FILE_RETENTION_DAYS", 400)
# Celery ETA timers are queued only for checks due within this horizon (the 10- and 30-minute
# clocks at once; longer clocks when the sweeper finds them inside it). The Redis transport
# re-delivers an unacknowledged task after its visibility timeout and holds ETA tasks in worker
# memory, so the horizon stays well inside the visibility timeout (set below to twice it).
SLA_TIMER_MAX_SECONDS = env_int("SLA_TIMER_MAX_SECONDS", 3600)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * SLA_TIMER_MAX_SECONDS}
# A supervision order (督办) raised by the escalation ladder expects the unit's reply within this.
SUPERVISION_REPLY_HOURS = env_int("SUPERVISION_REPLY_HOURS", 24)
# An assisting unit (协办) owes its reply within this many hours of the ticket's resolve calendar
# (24×7 for urgent tickets, working time for normal ones), warned at the policy's warn ratio.
ASSIST_REPLY_HOURS = env_int("ASSIST_REPLY_HOURS", 24)
# The recompute check (manage.py sla_recompute) allows the sweeper this long to act on a deadline.
SLA_RECOMPUTE_GRACE_SECONDS = env_int("SLA_RECOMPUTE_GRACE_SECONDS", 120)

# --- Metrics (GET /metrics, Prometheus) ----------------------------------------------------------
# Allowed with "Authorization: Bearer <METRICS_TOKEN>" (when set) or from these addresses/CIDRs
# (REMOTE_ADDR: behind a reverse proxy on the same machine that is the proxy's own address).
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
# Scrapes within this many seconds get the same text from the cache (0: collect every time).
METRICS_CACHE_SECONDS = env_int("METRICS_CACHE_SECONDS", 15)

# --- Notifiers ----------------------------------------------------------------------------------
# In-app notices are always written; these names deliver them too: "log", "webhook", "sms".
NOTIFIERS = env_list("NOTIFIERS", [])
NOTIFY_WEBHOOK_URL = env_str("NOTIFY_WEBHOOK_URL")
NOTIFY_WEBHOOK_SECRET = env_str("NOTIFY_WEBHOOK_SECRET")
# Any class with send_sms(*, phone, text); the default posts JSON to NOTIFY_SMS_URL.
NOTIFY_SMS_GATEWAY = env_str("NOTIFY_SMS_GATEWAY", "notifiers.sms.HttpSmsGateway")
NOTIFY_SMS_URL = env_str("NOTIFY_SMS_URL")
# Text messages cost money and attention: only these kinds of notice go by SMS.
NOTIFY_SMS_KINDS = env_list("NOTIFY_SMS_KINDS", ["sla_breach", "sla_escalate", "supervision"])
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 5)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
# The centre's follow-up call (回访) is due this long after resolution.
FOLLOW_UP_DUE_HOURS = env_int("FOLLOW_UP_DUE_HOURS", 48)
# Photos on tickets (tickets.services.attachments): the largest upload accepted, and the long
# side a photo is scaled down to (its thumbnail: ATTACHMENT_THUMB_SIDE).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_SIDE = env_int("ATTACHMENT_MAX_SIDE", 1600)
ATTACHMENT_THUMB_SIDE = env_int("ATTACHMENT_THUMB_SIDE", 320)
# Decoding a photo this many pixels or more is refused (a small file can unpack to gigabytes).
ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 50_000_000)
# Personal data (tickets.services.retention, daily): raw intake bodies and headers are emptied
# this many days after they arrived (their SHA-256 kept); a closed, merged or rejected ticket's
# citizen name, phone, ID number and the numbers in its texts are masked this many days after
# it finished. 0 keeps them forever.
INTAKE_BODY_RETENTION_DAYS = env_int("INTAKE_BODY_RETENTION_DAYS", 180)
CITIZEN_DATA_RETENTION_DAYS = env_int("CITIZEN_DATA_RETENTION_DAYS", 730)
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 200)

# --- The router (routing_model) -------------------------------------------------------------------
# rjieba (the Rust port of jieba, same dictionary) or jieba; BENCHMARKS.md has the comparison.
ROUTER_SEGMENTER = env_str("ROUTER_SEGMENTER", "rjieba")
ROUTER_DATA_DIR = Path(env_str("ROUTER_DATA_DIR", str(BASE_DIR / "fixtures")))
# How often a process asks which model version is active, and re-reads the routing rules.
ROUTER_RELOAD_SECONDS = env_int("ROUTER_RELOAD_SECONDS", 10)
# Where the nightly retrain gets its samples: resolved tickets and the unit that resolved them.
ROUTER_TRAINING_SOURCE = env_str("ROUTER_TRAINING_SOURCE",
                                 "tickets.dispatching.routing.ticket_training_samples")
# Promotion gate: the candidate's macro-F1 may be at most this much worse than the active
# model's on the same holdout, and no unit's recall may drop by more than the second figure.
ROUTER_PROMOTE_MAX_F1_DROP = 0.005
ROUTER_PROMOTE_MAX_RECALL_DROP = 0.10
# A run still "running" after this long died with its worker; the next run may start.
ROUTER_RETRAIN_STALE_MINUTES = env_int("ROUTER_RETRAIN_STALE_MINUTES", 180)
# The starting model, trained from the synthetic corpus when no version exists yet.
ROUTER_STARTER_SAMPLES = env_int("ROUTER_STARTER_SAMPLES", 10_000)
INTAKE_MAX_BODY_BYTES = 256 * 1024
# Input hardening: a webhook body nested deeper than this is refused (400 json_too_deep) before
# it is parsed; the channels' payloads nest three levels at most.
INTAKE_MAX_JSON_DEPTH = env_int("INTAKE_MAX_JSON_DEPTH", 32)
# How long a web process may answer from its cached copy of a channel (secrets, active flag).
INTAKE_CHANNEL_CACHE_SECONDS = env_int("INTAKE_CHANNEL_CACHE_SECONDS", 5)
CALLBACK_MAX_ATTEMPTS = env_int("CALLBACK_MAX_ATTEMPTS", 8)
CALLBACK_BACKOFF_BASE_SECONDS = env_int("CALLBACK_BACKOFF_BASE_SECONDS", 5)
CALLBACK_BACKOFF_MAX_SECONDS = env_int("CALLBACK_BACKOFF_MAX_SECONDS", 3600)
CALLBACK_TIMEOUT_SECONDS = env_int("CALLBACK_TIMEOUT_SECONDS", 5)

# One line per record on stderr: JSON for the log shipper (default) or "plain" for a terminal.
# Both mask phone and ID numbers and carry the request id, Celery task and ticket number.
LOG_FORMAT = env_str("LOG_FORMAT", "json").strip().lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ValueError(f"LOG_FORMAT must be json or plain, got {LOG_FORMAT!r}")
LOGGING: dict[str, Any] = {  # logging.config.dictConfig's schema
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "dispatch.ops.logs.JsonLinesFormatter"},
                   "plain": {"()": "dispatch.ops.logs.PlainFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
