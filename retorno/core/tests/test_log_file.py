"""LOG_FILE: logs and the web server's requests go to a file, the terminal keeps to errors
(what lets `make run` leave its summary on screen)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from config.settings import BASE_DIR

SNIPPET = """
import logging, django
django.setup()
logging.getLogger("retorno.jobs").info("a job ran")
logging.getLogger("retorno.jobs").error("a job failed")
"""


def run_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_with_a_log_file_the_terminal_shows_only_errors(tmp_path: Path) -> None:
    log_file = tmp_path / "log" / "retorno.log"
    done = run_with({"LOG_FILE": str(log_file), "LOG_LEVEL": "info"})
    assert "a job ran" not in done.stderr
    assert "a job failed" in done.stderr
    written = log_file.read_text()
    assert "INFO retorno.jobs a job ran" in written
    assert "ERROR retorno.jobs a job failed" in written


def test_without_one_everything_from_the_level_up_is_in_the_terminal(tmp_path: Path) -> None:
    done = run_with({"LOG_FILE": "", "LOG_LEVEL": "INFO"})
    assert "a job ran" in done.stderr
    assert "a job failed" in done.stderr


@pytest.mark.parametrize(
    ("log_file", "access_log", "level"),
    [("", "-", "info"), ("/tmp/x.log", "/tmp/x.log", "warning")],
)
def test_serve_sends_requests_to_the_log_file(
    log_file: str, access_log: str, level: str, settings: Any, monkeypatch: Any, db: None
) -> None:
    settings.LOG_FILE = log_file
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
    from retorno.core.management.commands import serve

    # Neither collect the static files nor create the cache table: only the server's argv.
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    call_command("serve", "--port", "8399")
    [argv] = started
    assert argv[argv.index("--access-logfile") + 1] == access_log
    assert argv[argv.index("--log-level") + 1] == level


@pytest.mark.parametrize(("given", "expected"), [((), "30"), (("--timeout", "90"), "90")])
def test_serve_passes_its_worker_timeout_to_gunicorn(
    given: tuple[str, ...], expected: str, monkeypatch: Any, db: None
) -> None:
    monkeypatch.delenv("WEB_TIMEOUT", raising=False)
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
    from retorno.core.management.commands import serve

    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    call_command("serve", "--port", "8399", *given)
    [argv] = started
    assert argv[argv.index("--timeout") + 1] == expected
