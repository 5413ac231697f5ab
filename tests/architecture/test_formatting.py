"""The formatter lays out every line: no markers that switch it off."""

from __future__ import annotations

import re
import subprocess

from tests.architecture.imports import ROOT

ESCAPES = re.compile(r"#\s*fmt:\s*(skip|off|on)\b")


def tracked_python_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return [name for name in listed.stdout.splitlines() if name]


def test_no_formatter_escapes():
    files = tracked_python_files()
    assert len(files) > 300
    offenders = [
        f"{name}:{number}"
        for name in files
        for number, line in enumerate((ROOT / name).read_text().splitlines(), start=1)
        if ESCAPES.search(line)
    ]
    assert offenders == []


def test_the_check_would_see_a_marker():
    assert ESCAPES.search("x = 1  # fmt: skip")
    assert ESCAPES.search("# fmt: off")
    assert not ESCAPES.search("x = 1  # format: the skip is fine here")
