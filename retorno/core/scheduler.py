"""In-process periodic jobs for the embedded setup (no broker): a daemon thread per web process.

With a broker, Celery beat runs the same jobs (CELERY_BEAT_SCHEDULE) and this stays off. Several
web processes may each run it: every job claims its rows with conditional updates.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import close_old_connections

logger = logging.getLogger(__name__)
INTERVAL_SECONDS = 60
_started = False


def start_if_enabled() -> None:
    global _started
    if _started or os.environ.get("RETORNO_INPROCESS_SCHEDULER") != "1":
        return
    _started = True
    threading.Thread(target=_loop, name="retorno-scheduler", daemon=True).start()


def _loop() -> None:
    from retorno.core.tasks import outbox_sweep

    while True:
        time.sleep(INTERVAL_SECONDS)
        try:
            close_old_connections()
            outbox_sweep()
        except Exception:
            logger.exception("in-process scheduler run failed")
        finally:
            close_old_connections()
