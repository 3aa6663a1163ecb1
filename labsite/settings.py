"""Settings for labsite.

Everything that differs between a laptop and production comes from the
environment: DEBUG, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (a SQLite file
inside the project when unset), plus the production switches below (HTTPS,
proxy, cache, logging). See README.md, "Configuration" and "Deploy".
"""

import hashlib
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin.
    "modeltranslation",
    # The admin, with two-factor login for staff who enrol (labsite/admin.py).
    "labsite.apps.LabAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Background tasks: the backport of Django 6's tasks framework, with its database
    # backend (the queue is a table; `manage.py db_worker` runs it). See TASKS below.
    "django_tasks",
    "labsite.apps.TasksDatabaseConfig",  # django_tasks_db, named in both languages
    # Admin login throttling (axes) and one-time passwords (django_otp, TOTP).
    "labsite.apps.AxesConfig",  # axes, named in both languages
    "django_otp",
    "labsite.apps.TOTPConfig",  # django_otp.plugins.otp_totp, named in both languages
    "publications",
    "research",
    "achievements",
    "news",
    # Project glue: the page cache (labsite/cache.py) and its table (labsite/apps.py).
    "labsite",
]

MIDDLEWARE = [
    # /healthz first: answered before host checks and HTTPS redirects (labsite/health.py).
    "labsite.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # ETags, and 304 answers to browsers revalidating (public pages say no-cache).
    "django.middleware.http.ConditionalGetMiddleware",
    # Static files with far-future cache headers and gzip/brotli (see STORAGES).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, so cached pages get the header too.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Bodies over LABSITE_MAX_REQUEST_BYTES: 413 before the CSRF check reads them.
    "labsite.limits.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Public pages for visitors, per language and query string (labsite/cache.py).
    "labsite.cache.PageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "labsite.urls"

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
                "publications.context_processors.content_version",
                "research.context_processors.lab",
            ],
        },
    },
]

WSGI_APPLICATION = "labsite.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Production keeps connections open between requests (checked before reuse).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0" if DEBUG else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytical queries, not for a web page's
    # short ones, where compiling costs more than it saves. random_page_cost 1.1
    # (PostgreSQL's default 4 is for spinning disks): the site's data is in memory
    # or on SSD, where an index lookup costs about what a sequential read does, so
    # the planner should not hash whole tables to avoid a few index lookups
    # (docs/benchmarks.md has the plans that showed it).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c random_page_cost=1.1"
    )
    # A database host that does not answer is an outage (a 503 page), not a worker
    # stuck until gunicorn's timeout.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)

elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The task worker writes beside the server (`make run`). In WAL mode pages are read
    # while an import writes (otherwise a large transaction locks readers out); a
    # writer waits up to 20 s for the other, longer than an import of the largest file
    # takes to write (docs/bibtex.md, "Background imports").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL;", timeout=20
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Japanese is the default language, English the other.
LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", _("Japanese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# BibTeX import (publications/admin_import.py): files and pasted text up to 50 MB
# are read, and larger ones refused with a message. Pasted text counts against
# DATA_UPLOAD_MAX_MEMORY_SIZE (default 2.5 MB), so it allows 50 MB plus the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 51 * 1024 * 1024
# Bounds on what one import may ask of a worker (docs/limits.md has the figures): a
# request body (an upload included) beyond LABSITE_MAX_REQUEST_BYTES is refused before
# it is read; @string macros may nest LABSITE_BIBTEX_MAX_MACRO_DEPTH deep and add
# LABSITE_BIBTEX_MAX_EXPANSION_CHARS characters to the whole file; one field holds at
# most LABSITE_BIBTEX_MAX_VALUE_CHARS after expansion; an entry at most
# LABSITE_BIBTEX_MAX_AUTHORS authors (entries per file: LABSITE_IMPORT_MAX_ENTRIES, below).
LABSITE_MAX_REQUEST_BYTES = 52 * 1024 * 1024
LABSITE_BIBTEX_MAX_MACRO_DEPTH = 20
LABSITE_BIBTEX_MAX_EXPANSION_CHARS = 10_000_000
LABSITE_BIBTEX_MAX_VALUE_CHARS = 100_000
LABSITE_BIBTEX_MAX_AUTHORS = 2_000

# Entries per BibTeX file (admin and `import_bibtex`): a larger file is refused before
# it is parsed. The worker reads, plans and writes a file a chunk at a time, so this
# bounds the worker's time rather than its memory (docs/limits.md has the figures).
# A file of at most LABSITE_IMPORT_INLINE_ENTRIES entries is read and planned in the
# upload's request (its preview is there at once); a larger one by the background
# worker, with a progress page, so that no request does more than a few seconds of work.
LABSITE_IMPORT_MAX_ENTRIES = int(os.environ.get("IMPORT_MAX_ENTRIES", "100000"))
LABSITE_IMPORT_INLINE_ENTRIES = int(os.environ.get("IMPORT_INLINE_ENTRIES", "1000"))

# Outside services the publications database reads from (publications/sources/,
# docs/sources.md): one HTTP client for all of them. Base URLs are settings so that
# tests point them at a local server. Crossref's etiquette asks for a contact address
# in the User-Agent ("polite pool"): set CONTACT_EMAIL to the lab's address.
LABSITE_CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
LABSITE_SOURCE_URLS = {
    "crossref": "https://api.crossref.org",
    "datacite": "https://api.datacite.org",
    "arxiv": "https://export.arxiv.org/api",
    "researchmap": "https://api.researchmap.jp",
    "orcid": "https://pub.orcid.org/v3.0",
}
# Seconds to connect / to wait for an answer; attempts on 429, 5xx and lost
# connections; the first pause between them (doubled each time, or the server's
# Retry-After), and the longest pause we accept before giving up with a message.
LABSITE_SOURCE_TIMEOUT = float(os.environ.get("SOURCE_TIMEOUT", "15"))
LABSITE_SOURCE_CONNECT_TIMEOUT = 5.0
LABSITE_SOURCE_ATTEMPTS = 3
LABSITE_SOURCE_BACKOFF = 1.0
LABSITE_SOURCE_MAX_WAIT = 30.0
# At most this many requests to one service at a time from one process (arXiv asks
# for one connection at a time), and at least this many seconds between two requests
# to it (arXiv asks for 3).
LABSITE_SOURCE_CONCURRENCY = 2
LABSITE_SOURCE_CONCURRENCY_BY_SERVICE = {"arxiv": 1}
LABSITE_SOURCE_MIN_INTERVAL = {"arxiv": 3.0}
# Answers are kept in this cache, keyed by URL, for this many seconds.
LABSITE_SOURCE_CACHE = "default"
LABSITE_SOURCE_CACHE_SECONDS = 24 * 3600
# The admin's "Add by identifier" (docs/sources.md): the paste is read in the request
# (at most LABSITE_IDENTIFIERS_MAX_CHARS characters: a reference list of a thousand
# entries is 125-300 kB, and reading 500 kB takes under a second, bench/paste.py), and
# its identifiers (at most LABSITE_IDENTIFIERS_MAX) are looked up by the background
# worker. 1,000 is an afternoon's list, yet bounded: the lookups take the services'
# time (arXiv: one request of 50 ids every 3 s; Crossref about a second per DOI, two at
# a time), so about 10 minutes of the worker at most. `manage.py add_papers` takes
# longer lists.
LABSITE_IDENTIFIERS_MAX = int(os.environ.get("IDENTIFIERS_MAX", "1000"))
LABSITE_IDENTIFIERS_MAX_CHARS = 500_000
# Papers one "Look for the DOIs" of the data-health page searches (newest first): one
# Crossref search per paper, about a second each (docs/data-health.md).
LABSITE_DOI_SEARCH_MAX = int(os.environ.get("DOI_SEARCH_MAX", "1000"))

# Long work runs in the background (publications/tasks.py): confirming an import
# enqueues it and the admin shows its progress. The queue is a table in the
# database, so it needs no other service: `make run` starts `manage.py db_worker`
# beside the development server, docker-compose.yml runs it as the `worker` service.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# django-modeltranslation: ja/en columns, each falling back to the other.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ja"
MODELTRANSLATION_LANGUAGES = ("ja", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("ja", "en"), "ja": ("en",), "en": ("ja",)}
# The admin's ja/en tabs need jQuery UI; it is vendored so they work offline.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production: `collectstatic` writes hashed, pre-compressed copies that WhiteNoise
# serves with "Cache-Control: max-age=315360000, public, immutable". Development
# and tests serve the files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# With DEBUG off, Django serves MEDIA_ROOT itself unless a proxy does (SERVE_MEDIA=0).
LABSITE_SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

# `manage.py backup` writes its archives here unless told otherwise (README, "Backup");
# PG_BINDIR: the folder of pg_dump, pg_restore and psql when PATH's are not the
# right version (else PATH, then /usr/lib/postgresql/*/bin, newest first).
LABSITE_BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))
LABSITE_PG_BINDIR = os.environ.get("PG_BINDIR", "")

# Uploaded theme images larger than this are refused with a clear message.
LABSITE_MAX_IMAGE_BYTES = 5 * 1024 * 1024
# …and so are images of more pixels than this (6,000 × 4,000 fits): decoding one takes
# 4 bytes a pixel. Pages never decode a stored image beyond it (research/renditions.py).
# Pillow's own decompression-bomb guard (Image.MAX_IMAGE_PIXELS) stays on as well.
LABSITE_MAX_IMAGE_PIXELS = 25_000_000
# The font the Open Graph cards (research/cards.py) are drawn in: Noto Sans CJK (SIL
# Open Font License), which has Japanese and Latin. Debian's fonts-noto-cjk puts it
# here; the Dockerfile installs it (docs/design.md).
LABSITE_CARD_FONT = os.environ.get(
    "CARD_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
)

LOGIN_URL = "admin:login"

# Admin login throttling (django-axes, docs/security.md): after 5 failed logins for
# one username from one address, that pair is locked out for 30 minutes (or until
# `manage.py axes_reset_username NAME`); a success clears the count. Every failure
# is logged and listed in the admin (Axes → Access failures), for superusers.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "labsite.admin.lockout_response"
# The client's address, behind the proxy too; the export rate limit counts by it as well.
LABSITE_CLIENT_IP = "labsite.clients.client_ip"
AXES_CLIENT_IP_CALLABLE = LABSITE_CLIENT_IP
AXES_VERBOSE = False  # no banner on every start; failures are still logged
# The log names the username and address of each failure (the password is never kept).
AXES_SENSITIVE_PARAMETERS = ["otp_token"]
# Two-factor login (django-otp, TOTP): staff who enrol at /admin/two-factor/ must give a
# code from their authenticator app; ADMIN_REQUIRE_2FA=1 requires it of every staff member.
LABSITE_ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "labsite")

# Exports of lists (?format=bibtex|ris|csljson on a list, a theme, a keyword): cached
# under the content version, and at most this many per client address per window
# (publications/exports.py, docs/security.md). A paper's own citation is not counted.
LABSITE_EXPORT_RATE_LIMIT = int(os.environ.get("EXPORT_RATE_LIMIT", "10"))
LABSITE_EXPORT_RATE_WINDOW = int(os.environ.get("EXPORT_RATE_WINDOW", "60"))
# A list longer than this is not drawn (400: narrow it with filters); 0: no bound.
LABSITE_EXPORT_MAX_PAPERS = int(os.environ.get("EXPORT_MAX_PAPERS", "5000"))
# An achievement list in a CSL style (ACS, APA) longer than this is not drawn (400: narrow
# it, or take Excel or the Japanese style): the processor's cost per paper would pass
# gunicorn's timeout on long lists (docs/achievement-lists.md); 0: no bound.
LABSITE_LIST_MAX_STYLED = int(os.environ.get("LIST_MAX_STYLED", "500"))
# Seconds a 503 page (the database unreachable) asks clients to wait (labsite/outage.py).
LABSITE_OUTAGE_RETRY_AFTER = 30


# --- Production hardening (see README.md, "Deploy"). DEBUG off means HTTPS. ---
# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
# Client addresses then come from the proxy's X-Forwarded-For (labsite/clients.py).
LABSITE_BEHIND_PROXY = env_bool("BEHIND_PROXY")
if LABSITE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): no inline script or style anywhere, the
# admin included; JSON-LD <script type="application/ld+json"> blocks are data,
# which CSP does not block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Caches. The default must be shared by every gunicorn worker (and every server
# behind a load balancer). Production: Redis (REDIS_URL), which also keeps cached
# pages served while the database is down (docs/security.md). Without it: the
# database (`migrate` creates the table, labsite/apps.py), or, with DEBUG, files
# in the temporary directory (shared by runserver and management commands).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "labsite")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
elif DEBUG:
    # One folder per database, so two checkouts (or SQLite and PostgreSQL) never
    # share a content version.
    _database = "{ENGINE} {HOST} {PORT} {NAME}".format_map(DATABASES["default"])
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": Path(tempfile.gettempdir())
            / f"labsite-cache-{hashlib.sha256(_database.encode()).hexdigest()[:12]}",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "labsite_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# What each worker keeps in its own memory: page fragments ({% cache … using="local" %}:
# a list item, the filters' choices, the theme cards) and per-year counts
# (publications/freshness.py `cached`). They are read several times per page, so a
# round trip to the shared cache for each would cost about what computing them
# does. Their keys hold the shared content version, so a worker never uses one
# older than the content; stale ones simply age out.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "labsite-local",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
# Seconds a public page stays cached (0 turns the page cache off). Pages are
# invalidated on every content change anyway, so this only bounds memory.
LABSITE_PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0" if DEBUG else "3600"))

# Logs go to stdout (gunicorn and docker collect them); LOG_LEVEL sets the level.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {
            "handlers": ["stdout"],
            "level": os.environ.get("LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}
