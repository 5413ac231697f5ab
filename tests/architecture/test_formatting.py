"""The formatter lays out every line: no comments that switch it off."""

from __future__ import annotations

import io
import re
import subprocess
import tokenize

from tests.architecture.imports import ROOT

ESCAPES = re.compile(r"#\s*fmt:\s*(skip|off|on)\b")


def tracked_python_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return [name for name in listed.stdout.splitlines() if name and (ROOT / name).exists()]


def escapes_in(source: str) -> list[int]:
    """Lines with a comment that turns the formatter off (comments only, not strings)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        token.start[0]
        for token in tokens
        if token.type == tokenize.COMMENT and ESCAPES.search(token.string)
    ]


def test_no_formatter_escapes():
    files = tracked_python_files()
    assert len(files) > 300
    offenders = [
        f"{name}:{line}" for name in files for line in escapes_in((ROOT / name).read_text())
    ]
    assert offenders == []


def test_the_check_sees_a_marker_in_a_comment_and_not_in_a_string():
    marker = "fmt" + ": skip"
    assert escapes_in(f"x = 1  # {marker}\n") == [1]
    assert escapes_in(f"y = 2\n# {marker.replace('skip', 'off')}\nz = 3\n") == [2]
    assert escapes_in(f"x = '# {marker}'\n") == []
