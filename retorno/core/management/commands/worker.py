"""`retorno worker`: a Celery worker (needs CELERY_BROKER_URL; without it jobs run in-process)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.celery import app
from retorno.core.queues import QUEUE_KINDS, queue_name


class Command(BaseCommand):
    help = "Run a Celery worker for background jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=None)
        parser.add_argument(
            "--beat", action="store_true", help="Also run the scheduler in this process."
        )
        parser.add_argument(
            "--queues",
            default=",".join(QUEUE_KINDS),
            help="The kinds of work this worker takes, comma-separated, of "
            f"{', '.join(QUEUE_KINDS)} (default: all; retorno.core.queues).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "CELERY_BROKER_URL is not set: background jobs already run in-process, no worker needed."
            )
        argv = ["worker", "--loglevel=INFO", f"--queues={worker_queues(options['queues'])}"]
        if options["concurrency"]:
            argv.append(f"--concurrency={options['concurrency']}")
        if options["beat"]:
            Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
            argv.append("--beat")
        app.worker_main(argv)


def worker_queues(kinds: str) -> str:
    """The broker's queue names for a comma-separated list of kinds of work."""
    wanted = [kind.strip() for kind in kinds.split(",") if kind.strip()]
    if not wanted:
        raise CommandError(f"--queues: name at least one of {', '.join(QUEUE_KINDS)}.")
    try:
        return ",".join(queue_name(kind) for kind in wanted)
    except ValueError as exc:
        raise CommandError(f"--queues: {exc}") from exc
