"""In-process periodic jobs for the embedded setup (no broker): a daemon thread per web process.

It runs the same table Celery beat runs with a broker (settings.CELERY_BEAT_SCHEDULE), looking
the tasks up by name. Several web processes may each run it: every job claims its rows with
conditional updates, so running one twice does no harm.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)
TICK_SECONDS = 15
_started = False


def start_if_enabled() -> None:
    global _started
    if _started or os.environ.get("RETORNO_INPROCESS_SCHEDULER") != "1":
        return
    _started = True
    threading.Thread(target=_loop, name="retorno-scheduler", daemon=True).start()


def due_jobs(last_run: dict[str, float], now: float) -> list[str]:
    """Names of the schedule entries whose interval has passed since they last ran."""
    due = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        interval = float(entry["schedule"])
        if now - last_run.get(name, now - interval) >= interval:
            due.append(name)
    return due


def run_job(name: str) -> None:
    task_name = settings.CELERY_BEAT_SCHEDULE[name]["task"]
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()  # autodiscovery of tasks.py is lazy
    current_app.tasks[task_name]()


def _loop() -> None:
    # The first runs wait a full interval: a process that just started has nothing stale yet.
    last_run: dict[str, float] = dict.fromkeys(settings.CELERY_BEAT_SCHEDULE, time.monotonic())
    while True:
        time.sleep(TICK_SECONDS)
        now = time.monotonic()
        for name in due_jobs(last_run, now):
            last_run[name] = now
            try:
                close_old_connections()
                run_job(name)
            except Exception:
                logger.exception("in-process job %s failed", name)
            finally:
                close_old_connections()
