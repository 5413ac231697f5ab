""".env.example copied to .env is a working configuration: the installation guide says to copy
it, fill in the two secrets, and start. Every variable it leaves empty then means its default,
exactly as if the line were not there; without the secrets production refuses to start with
its own message (not a parsing error on the first empty value).

Each case runs in a fresh process over a copy of `config/` in a temporary folder, so the `.env`
read is the test's own and the project's folder is never written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / ".env.example").read_text()
SECRET_KEY = "Zp4-wQ8nR_tY2uLk6Hs9Vb3Xc7Mf1Gd5Ja0EoNiTq8WyPrUzKl"  # a test's own, 50 characters
ENCRYPTION_KEY = "m3Kq8Zr1Wt6Yx9Bv2Nc5Lp7Hs4Dg0Fj2"

SHOW_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({name: repr(getattr(settings, name)) for name in dir(settings) if name.isupper()}))
"""


def project(tmp_path: Path, env_file: str) -> Path:
    """A folder with the project's settings package and `env_file` as its `.env`."""
    shutil.copytree(
        ROOT / "config", tmp_path / "config", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / ".env").write_text(env_file)
    return tmp_path


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The copied settings package first, the project's code after it.
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
    }
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def with_secrets(text: str) -> str:
    text = re.sub(r"(?m)^SECRET_KEY=$", f"SECRET_KEY={SECRET_KEY}", text)
    return re.sub(
        r"(?m)^RETORNO_ENCRYPTION_KEY=$", f"RETORNO_ENCRYPTION_KEY={ENCRYPTION_KEY}", text
    )


def settings_with(tmp_path: Path, name: str, env_file: str) -> dict[str, str]:
    result = run(project(tmp_path / name, env_file), "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_example_leaves_empty_values_to_be_filled():
    empty = set(re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=$", EXAMPLE))
    assert {"SECRET_KEY", "RETORNO_ENCRYPTION_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= empty


def test_the_example_with_its_secrets_filled_in_starts(tmp_path: Path):
    folder = project(tmp_path, with_secrets(EXAMPLE))
    result = run(folder, "-m", "django", "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    # The default database: SQLite under the var folder beside the settings.
    settings = settings_with(tmp_path, "shown", with_secrets(EXAMPLE))
    assert str(tmp_path / "shown" / "var" / "retorno.sqlite3") in settings["DATABASES"]


def test_an_empty_value_means_the_default(tmp_path: Path):
    filled = with_secrets(EXAMPLE)
    without_empty_lines = re.sub(r"(?m)^[A-Z][A-Z0-9_]*=\n", "", filled)
    assert without_empty_lines != filled
    as_copied = settings_with(tmp_path, "copied", filled)
    as_if_absent = settings_with(tmp_path, "absent", without_empty_lines)
    differing = {
        name: (as_copied[name], as_if_absent.get(name))
        for name in as_copied
        if as_copied[name].replace("copied", "absent") != as_if_absent.get(name)
    }
    assert differing == {}
    assert as_copied["ALLOWED_HOSTS"] == "['127.0.0.1', 'localhost']"


def test_the_example_as_copied_asks_for_its_secret_key(tmp_path: Path):
    result = run(project(tmp_path, EXAMPLE), "-m", "django", "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Set the " not in result.stderr  # no variable refused for being empty
