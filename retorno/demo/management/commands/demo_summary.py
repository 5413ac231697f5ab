"""`retorno demo-summary`: print what a person needs to try the demo (see retorno.demo.summary),
once the server answers when asked to wait for it."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from retorno.demo.generator import DEMO_API_KEY, DEMO_SLUG
from retorno.demo.summary import demo_summary, summary_lines
from retorno.integrations.carriers.simulator.config import ConfigError, check_local_url
from retorno.stores.models import Store


class Command(BaseCommand):
    help = (
        "Print the demo's summary: the portal, orders to return now with their e-mail, the "
        "staff logins and the API key; with --wait-for, once that URL answers."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--slug", default=DEMO_SLUG)
        parser.add_argument("--api-key", default=DEMO_API_KEY)
        parser.add_argument("--wait-for", default="", help="a URL of the server to wait for")
        parser.add_argument(
            "--server-pid", type=int, default=0, help="stop waiting if this process ends"
        )
        parser.add_argument("--timeout", type=float, default=120.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["wait_for"]:
            try:
                check_local_url(options["wait_for"])
            except ConfigError:
                raise CommandError(
                    "--wait-for waits for a server on this machine: http(s) to 127.0.0.1, ::1 "
                    "or localhost."
                ) from None
            _wait(options["wait_for"], options["server_pid"], options["timeout"])
        store = Store.objects.filter(slug=options["slug"]).first()
        if store is None:
            raise CommandError(f"No store {options['slug']!r}: run `retorno demo` first.")
        summary = demo_summary(store, now=timezone.now(), api_key=options["api_key"])
        self.stdout.write("\n".join(["", *summary_lines(summary)]))


def _wait(url: str, pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid and not _alive(pid):
            raise CommandError("The server stopped (see above).")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                if pid and not _alive(pid):
                    raise CommandError("The server stopped (see above).")
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise CommandError(f"{url} did not answer within {timeout:.0f} s.")


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a finished child not yet reaped by its parent does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"
