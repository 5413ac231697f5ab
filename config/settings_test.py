"""Test overrides: fast hashing, in-memory mail, in-process tasks. DATABASE_URL picks the engine."""

import os
import tempfile
from pathlib import Path

# Tests, and the processes they start (a worker, a server), run with the development stand-ins
# for the secrets production must be given.
os.environ.setdefault("RETORNO_ENV", "development")

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
RETORNO_INPROCESS_JOBS = "sync"
# The carrier simulator and the test servers listen on 127.0.0.1 over http.
RETORNO_ALLOW_PRIVATE_URLS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "retorno.core.db.sqlite":
    # A file, not memory: the concurrency tests open one connection per thread, and an in-memory
    # shared-cache database fails at once with "table is locked" instead of waiting its turn.
    # One file per process, so suites run side by side do not delete each other's database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"retorno-test-{os.getpid()}.sqlite3")
    }
else:
    # Several engineers (and CI) share one PostgreSQL server: one test database per process.
    DATABASES["default"]["TEST"] = {"NAME": f"test_retorno_{os.getpid()}"}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# Whitenoise wants the static root to exist even when nothing is collected.
STATIC_ROOT = Path(tempfile.gettempdir()) / "retorno-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"retorno-test-media-{os.getpid()}"
