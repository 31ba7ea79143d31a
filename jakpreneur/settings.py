"""Jakpreneur Tracker settings: every value comes from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The development key is public (it is in this file), so only DEBUG may fall back on it:
# with a known key anyone can forge sessions and password-reset links.
DEVELOPMENT_SECRET_KEY = "django-insecure-dev-only-change-me-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    DEVELOPMENT_SECRET_KEY if DEBUG else ""
)
if not DEBUG and (
    not SECRET_KEY
    or SECRET_KEY.startswith("django-insecure-")
    or SECRET_KEY == "change-me"
):
    raise ImproperlyConfigured(
        "SECRET_KEY belum diisi (atau masih kunci contoh/pengembangan) sedangkan DEBUG "
        "mati: aplikasi menolak berjalan dengan kunci yang diketahui umum. Isi SECRET_KEY "
        "dengan string acak yang panjang, misalnya keluaran "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"`, '
        "atau set DEBUG=1 untuk pengembangan."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "jakpreneur.apps.JakpreneurAdminConfig",  # django.contrib.admin, see there
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "wilayah",
    "accounts",
    "participants",
    "programs",
    "outreach",  # issue 13: sosialisasi
    "reports",
    "imports",
    "exports",  # big resident list exports as background jobs (issue 12)
    "applications",  # issue 13: online registration, verified by the kelurahan
    "home",
    "public",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jakpreneur.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: a request holding a NUL character gets its 400 untouched.
    "jakpreneur.middleware.NulRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jakpreneur.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "participants.middleware.NikOutOfUrlsMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a refused login into its lockout response (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jakpreneur.urls"
WSGI_APPLICATION = "jakpreneur.wsgi.application"

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
                "home.context_processors.navigation",
            ],
        },
    },
]

# Embedded SQLite when DATABASE_URL is unset; PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# Keeping connections open between requests makes writes several times faster.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.GuessablePasswordValidator"},
]
# The axes backend first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The user and their staff profile in one query on every request.
    "accounts.backends.StaffBackend",
    # Only for sessions signed in before StaffBackend (it never gets to check a password:
    # StaffBackend refuses first). Remove once SESSION_COOKIE_AGE has passed since.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "login"

# Bahasa Indonesia by default, English available; Jakarta time.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_TZ = True
FORMAT_MODULE_PATH = ["jakpreneur.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
_assets = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", _assets / "bootstrap" / "dist"),
    ("vendor/chartjs", _assets / "chart.js" / "dist"),
    ("vendor/htmx", _assets / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

_DEFAULT_CACHE = env.cache("CACHE_URL", default="locmemcache://")
if _DEFAULT_CACHE["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same, with one Redis client per connection pool (jakpreneur/cache.py).
    _DEFAULT_CACHE["BACKEND"] = "jakpreneur.cache.RedisCache"
CACHES = {
    "default": _DEFAULT_CACHE,
    # Rendered fragments keyed by their whole content (`{% cache %}` over a kecamatan's
    # dashboard card, reports.selectors.AreaProgress.content_key): such a key cannot go
    # stale, so each worker keeps its own in memory: no round trip to Redis, nothing to
    # fail when Redis does.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# Report pages (the dashboard's figures) are cached only in a cache that every worker shares:
# a worker's own memory would keep serving figures that a write in another worker changed.
REPORTS_CACHE = env.bool(
    "REPORTS_CACHE",
    default=not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")),
)

# Background jobs (imports, big exports) through Django's tasks API (the django-tasks backport of
# Django 6's django.tasks). "db": jobs wait in this database and `manage.py db_worker`
# runs them (`make run` starts one beside the web server); nothing else to install.
# "rq": Redis Queue at REDIS_URL, workers (`manage.py rqworker --job-class
# django_tasks_rq.Job QUEUE`) on as many machines as needed. "immediate": run inside the
# request (tests of the pages only).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="db")
TASKS_QUEUE = env.str("TASKS_QUEUE", default="jakpreneur")
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND harus salah satu dari {', '.join(_TASK_BACKENDS)}, "
        f"bukan {TASKS_BACKEND!r}."
    )
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[TASKS_BACKEND],
        "QUEUES": [TASKS_QUEUE],
    }
}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A job may run long (a 100,000-row import); RQ's default timeout is 180 s.
    RQ_QUEUES = {TASKS_QUEUE: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 4 * 60 * 60}}

# Online applications (applications/): limits in the shared cache against abuse.
APPLY_LIMIT_PER_ADDRESS_HOUR = env.int("APPLY_LIMIT_PER_ADDRESS_HOUR", default=5)
APPLY_LIMIT_PER_NIK_DAY = env.int("APPLY_LIMIT_PER_NIK_DAY", default=3)
STATUS_LIMIT_PER_ADDRESS_HOUR = env.int("STATUS_LIMIT_PER_ADDRESS_HOUR", default=20)

# Imports through the web (larger files: `manage.py import_participants`).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)

# Resident list exports (exports/): up to EXPORT_INLINE_ROWS rows are built inside the
# request; bigger lists become a background job whose file is kept EXPORT_KEEP_HOURS after
# it is built (then `manage.py purge_exports` deletes it: it holds personal data).
EXPORT_INLINE_ROWS = env.int("EXPORT_INLINE_ROWS", default=5000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: safe by default, relaxed only by DEBUG or explicit variables.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("USE_X_FORWARDED_PROTO", default=False)
    else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content-Security-Policy (jakpreneur.middleware): our own scripts and styles only, no
# inline script, style or handler; nothing may frame a page or take its forms elsewhere.
# data: images are the SVG icons inside Bootstrap's CSS.
SECURE_CSP = {
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
}
# Django's database sessions; each request's read in SQL written once (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
# A login lasts SESSION_COOKIE_AGE seconds at most, and ends after SESSION_IDLE_MINUTES
# without a request (accounts.middleware.SessionTimeoutMiddleware enforces both).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)

# Login throttling (django-axes, accounts/throttle.py). Failed attempts live in the database,
# so every gunicorn worker and machine counts the same ones; admins lift a lock in the admin.
# N wrong passwords per username (and M failures per address) are tolerated within the
# cool-off; the next failure locks for the cool-off, counted from the last attempt.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
# Reverse proxies in front of gunicorn that append the client to X-Forwarded-For (nginx: 1).
# 0 trusts no header: behind a proxy every login would then share the proxy's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_HANDLER = "accounts.throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT + 1
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_CLIENT_STR_CALLABLE = "accounts.throttle.client_description"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"

# Demo accounts (seed_demo) share one password.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="jakpreneur")
# Exact-NIK lookups (Cari NIK, enrolment by NIK) one user may make per hour: enough for a
# day's enrolment desk, too few to probe who is in the programme.
NIK_LOOKUPS_PER_HOUR = env.int("NIK_LOOKUPS_PER_HOUR", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Failed logins and lockouts are warnings; axes' INFO lines repeat on every login.
    "loggers": {"axes": {"level": "WARNING"}},
}
