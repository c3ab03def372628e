"""Parley settings, read from the environment (12-factor).

With nothing set, Parley runs embedded: SQLite, the in-memory channel layer, files on local
disk and jobs in a worker started next to the server. DATABASE_URL, REDIS_URL and the S3
variables switch the same code to real engines (see README, "Configuration").
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "parley-development-only-key-not-for-production-use-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "django_tasks_db",
    "parley.core",
    "parley.accounts",
    "parley.marketplace",
    "parley.attachments",
    "parley.reviews",
    "parley.workspace",
    "parley.messaging",
    "parley.notifications",
    "parley.search",
    "parley.webhooks",
    "parley.disputes",
    "parley.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "parley.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parley.accounts.middleware.ReaderTimeZoneMiddleware",
    "parley.notifications.middleware.PresenceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "parley.urls"
WSGI_APPLICATION = "parley.wsgi.application"
ASGI_APPLICATION = "parley.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "parley" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parley.messaging.context_processors.messaging",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
SQLITE_CHECKPOINT_PAGES = 10_000
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Open connections are reused from a pool (see parley/core/sqlite): opening SQLite and
    # reading its schema cost a large share of a chat message or an API read. Django
    # closes each request's connection when it ends, which puts it back in the pool.
    DATABASES["default"]["ENGINE"] = "parley.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing with "database locked".
        # A batch of chat messages is one INSERT of many rows, for which SQLite keeps a
        # statement journal: in a temporary file, created and deleted per batch, unless
        # temp_store is MEMORY (which halved the time of the batch's INSERTs). The log is copied
        # back into the database every 10,000 pages (about 40 MB) instead of every 1,000:
        # a page that every batch changes (an index's last leaf, a busy conversation's row)
        # is copied once per checkpoint, however often it changed.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
            f" PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use an in-memory database unless given a file; said explicitly, since test
    # runners recognise SQLite by Django's own engine name only.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_PATH") or ":memory:"}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if DATABASE_IS_POSTGRES:
    # No JIT compilation: PostgreSQL compiles a statement whose estimated cost passes
    # jit_above_cost, which the unread badge's count over a store's dialogs does, and
    # compiling took 13 ms of a statement that runs in 4 ms (31 ms with it). Parley's
    # statements are all short; none gains from it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASE_IS_POSTGRES and env_bool("DATABASE_POOL", True):
    # Under ASGI each request has its own connection, which Django opened and dropped per
    # request however long CONN_MAX_AGE was: about 4 ms of a read on a local server. A pool
    # keeps them; Django hands a request's connection back when the request ends.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "20")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "marketplace:my-orders"
LOGOUT_REDIRECT_URL = "marketplace:catalogue"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Events a socket may fall behind by before the layer drops them; each socket hears its
# conversations and its notifications bell, and a slow reader falls behind in a burst.
CHANNEL_LAYER_CAPACITY = int(os.environ.get("CHANNEL_LAYER_CAPACITY", "1000"))
# Redis holds the events of all one process's sockets in a single list and checks the capacity
# against that list, so a busy process would drop events meant for sockets that keep up. The
# process bounds each socket's own queue at CHANNEL_LAYER_CAPACITY; this bounds the shared list,
# which grows only while the whole process falls behind (and expires after a minute).
CHANNEL_LAYER_PROCESS_CAPACITY = int(os.environ.get("CHANNEL_LAYER_PROCESS_CAPACITY", "100000"))
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "parley.core.layers.WaitingRedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "pool_size": int(os.environ.get("REDIS_POOL_SIZE", "100")),
                "pool_timeout": float(os.environ.get("REDIS_POOL_TIMEOUT", "10")),
                "prefix": os.environ.get("REDIS_PREFIX", "parley"),
                "capacity": CHANNEL_LAYER_CAPACITY,
                # A socket's channel is "specific.<process>!<socket>".
                "channel_capacity": {"specific.*!*": CHANNEL_LAYER_PROCESS_CAPACITY},
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "parley"),
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "parley.core.layers.ProcessChannelLayer",
            "CONFIG": {"capacity": CHANNEL_LAYER_CAPACITY},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Jobs -----------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parley" / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["parley.formats"]
TIME_ZONE = "Europe/Moscow"
USE_TZ = True
DEFAULT_READER_TIME_ZONE = "Europe/Moscow"

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "parley" / "static"]
# Serve from the apps' static folders too, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY"),
            "region_name": os.environ.get("S3_REGION", "us-east-1"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("EMAIL_HOST"),
                "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
                "username": os.environ.get("EMAIL_HOST_USER"),
                "password": os.environ.get("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False) or None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Parley <noreply@parley.localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Product rules (every number the product promises, named) -------------------------------
# Failed logins per username (and per client address) before further attempts are refused.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW = timedelta(minutes=int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15")))

# Attachments (photos in messages, reviews, disputes).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
ATTACHMENTS_PER_MESSAGE = int(os.environ.get("ATTACHMENTS_PER_MESSAGE", "10"))
# Decoded size limit: a small file that unpacks to a huge picture is a decompression bomb.
ATTACHMENT_MAX_PIXELS = int(os.environ.get("ATTACHMENT_MAX_PIXELS", str(40_000_000)))
# Video evidence (MP4 or WebM, judged and cleaned by Debian's ffprobe/ffmpeg).
DISPUTE_VIDEO_MAX_BYTES = int(os.environ.get("DISPUTE_VIDEO_MAX_BYTES", str(50 * 1024 * 1024)))
DISPUTE_VIDEO_MAX_SECONDS = int(os.environ.get("DISPUTE_VIDEO_MAX_SECONDS", "120"))
FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "/usr/bin/ffmpeg")
FFPROBE_BINARY = os.environ.get("FFPROBE_BINARY", "/usr/bin/ffprobe")
VIDEO_TOOL_TIMEOUT_SECONDS = int(os.environ.get("VIDEO_TOOL_TIMEOUT_SECONDS", "60"))

# Reviews: how long a buyer may edit a review, and a store its public reply (edits keep history).
REVIEW_EDIT_WINDOW = timedelta(days=int(os.environ.get("REVIEW_EDIT_WINDOW_DAYS", "14")))
REVIEW_REPLY_EDIT_WINDOW = timedelta(
    days=int(os.environ.get("REVIEW_REPLY_EDIT_WINDOW_DAYS", "30"))
)

# Messages (Contact Now, Message Center).
MESSAGE_MAX_LENGTH = int(os.environ.get("MESSAGE_MAX_LENGTH", "4000"))
# A store's reply time: over conversations of the last N days (at most M of them), reported
# only with enough data; "answered within" this many hours is the promise it is measured by.
REPLY_PROMISE_HOURS = int(os.environ.get("REPLY_PROMISE_HOURS", "24"))
REPLY_STATS_WINDOW_DAYS = int(os.environ.get("REPLY_STATS_WINDOW_DAYS", "90"))
REPLY_STATS_MAX_CONVERSATIONS = int(os.environ.get("REPLY_STATS_MAX_CONVERSATIONS", "100"))
REPLY_STATS_MIN_CONVERSATIONS = int(os.environ.get("REPLY_STATS_MIN_CONVERSATIONS", "5"))

# Notifications: e-mail only a recipient away from the site this long, one e-mail per
# conversation once it has been quiet; retried; the bell asks for its count this often.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
NOTIFY_EMAIL_DEFAULT = env_bool("NOTIFY_EMAIL_DEFAULT", True)
NOTIFY_EMAIL_AWAY_AFTER_MINUTES = int(os.environ.get("NOTIFY_EMAIL_AWAY_AFTER_MINUTES", "15"))
NOTIFY_EMAIL_QUIET_MINUTES = int(os.environ.get("NOTIFY_EMAIL_QUIET_MINUTES", "10"))
NOTIFY_EMAIL_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_EMAIL_MAX_ATTEMPTS", "5"))
NOTIFY_EMAIL_RETRY_SECONDS = int(os.environ.get("NOTIFY_EMAIL_RETRY_SECONDS", "60"))
NOTIFY_POLL_SECONDS = int(os.environ.get("NOTIFY_POLL_SECONDS", "15"))
PRESENCE_RESOLUTION_SECONDS = int(os.environ.get("PRESENCE_RESOLUTION_SECONDS", "60"))
# A store member is reminded when a buyer's message has waited this many hours (each once).
REPLY_REMINDER_HOURS = [int(h) for h in env_list("REPLY_REMINDER_HOURS", "24,48")]
# Both parties of a dispute are warned when these shares of a deadline's time have passed.
DEADLINE_WARNING_PERCENTS = [int(p) for p in env_list("DEADLINE_WARNING_PERCENTS", "50,90")]
# Live chat (WebSocket at /ws/chat/; see docs/websocket.md).
# A frame larger than this closes the socket with code 1009.
CHAT_FRAME_MAX_BYTES = int(os.environ.get("CHAT_FRAME_MAX_BYTES", "65536"))
# Throttling per socket: a bucket of CHAT_FRAME_BURST frames refilled at CHAT_FRAMES_PER_SECOND;
# a frame over it is refused, and CHAT_FLOOD_CLOSE_AFTER refusals in a row close the socket.
CHAT_FRAMES_PER_SECOND = float(os.environ.get("CHAT_FRAMES_PER_SECOND", "20"))
CHAT_FRAME_BURST = int(os.environ.get("CHAT_FRAME_BURST", "60"))
CHAT_FLOOD_CLOSE_AFTER = int(os.environ.get("CHAT_FLOOD_CLOSE_AFTER", "100"))
# The server pings every N seconds; a socket silent for CHAT_IDLE_TIMEOUT_SECONDS is closed.
CHAT_HEARTBEAT_SECONDS = float(os.environ.get("CHAT_HEARTBEAT_SECONDS", "25"))
CHAT_IDLE_TIMEOUT_SECONDS = float(os.environ.get("CHAT_IDLE_TIMEOUT_SECONDS", "75"))
# Missed messages the server replays on resume (or fills in after dropped events); a client
# further behind is told to resync over HTTP.
CHAT_REPLAY_MAX = int(os.environ.get("CHAT_REPLAY_MAX", "1000"))
# Coming online or going offline is announced in the user's most recent conversations.
CHAT_PRESENCE_MAX = int(os.environ.get("CHAT_PRESENCE_MAX", "200"))
# Disputes (see parley/disputes/README.md): when a dispute may be opened and how long each side
# has to act. Every deadline is a fixed span in UTC from the moment that started it.
DISPUTE_OPENS_AFTER = timedelta(days=int(os.environ.get("DISPUTE_OPENS_AFTER_DAYS", "6")))
DISPUTE_SELLER_ANSWER_PERIOD = timedelta(
    days=int(os.environ.get("DISPUTE_SELLER_ANSWER_DAYS", "5"))
)
DISPUTE_RETURN_SHIPPING_PERIOD = timedelta(
    days=int(os.environ.get("DISPUTE_RETURN_SHIPPING_DAYS", "10"))
)
DISPUTE_RECEIPT_CONFIRM_PERIOD = timedelta(
    days=int(os.environ.get("DISPUTE_RECEIPT_CONFIRM_DAYS", "15"))
)
DISPUTE_ESCALATION_AFTER = timedelta(days=int(os.environ.get("DISPUTE_ESCALATION_DAYS", "15")))
DISPUTE_INFO_REQUEST_PERIOD = timedelta(days=int(os.environ.get("DISPUTE_INFO_REQUEST_DAYS", "5")))
# The PDF record needs a Unicode TrueType font (Debian: fonts-dejavu-core).
DISPUTE_RECORD_FONT_DIR = os.environ.get(
    "DISPUTE_RECORD_FONT_DIR", "/usr/share/fonts/truetype/dejavu"
)

# Outgoing webhooks: attempts per delivery and the pause before attempt n (doubling).
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "6"))
WEBHOOK_RETRY_BASE = timedelta(seconds=int(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30")))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
