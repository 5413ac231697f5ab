"""`retorno worker`: a Celery worker (needs CELERY_BROKER_URL; without it jobs run in-process)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.celery import app


class Command(BaseCommand):
    help = "Run a Celery worker for background jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=None)
        parser.add_argument(
            "--beat", action="store_true", help="Also run the scheduler in this process."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "CELERY_BROKER_URL is not set: background jobs already run in-process, no worker needed."
            )
        argv = ["worker", "--loglevel=INFO"]
        if options["concurrency"]:
            argv.append(f"--concurrency={options['concurrency']}")
        if options["beat"]:
            Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
            argv.append("--beat")
        app.worker_main(argv)
