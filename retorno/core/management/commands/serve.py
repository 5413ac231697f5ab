"""`retorno serve`: the production web server (gunicorn, several processes, static files by whitenoise)."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Retorno with gunicorn (multi-process); static files are served by whitenoise."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.RETORNO_HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=int, default=settings.WEB_CONCURRENCY or None)
        parser.add_argument("--threads", type=int, default=settings.WEB_THREADS)
        parser.add_argument(
            "--timeout",
            type=int,
            default=settings.WEB_TIMEOUT,
            help="Seconds a worker may spend on one request before it is restarted (default 30, "
            "or WEB_TIMEOUT). The largest call, POST /api/v1/orders/bulk with 1,000 orders, "
            "takes about a second.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        workers = options["workers"] or max(2, (os.cpu_count() or 1) * 2)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            self.stderr.write("gunicorn is not installed in this environment.")
            sys.exit(1)
        argv = [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(workers),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--no-control-socket",
            "--graceful-timeout",
            "20",
            # With LOG_FILE the requests are logged there and the terminal keeps to warnings.
            "--access-logfile",
            settings.LOG_FILE or "-",
            "--log-level",
            "warning" if settings.LOG_FILE else "info",
        ]
        if not settings.CELERY_BROKER_URL:
            # No broker: each web process runs the periodic jobs itself.
            os.environ["RETORNO_INPROCESS_SCHEDULER"] = "1"
        self.stdout.write(
            f"Serving on http://{options['host']}:{options['port']} with {workers} workers"
        )
        sys.stdout.flush()
        os.execv(gunicorn, argv)
