"""The production configuration, read in a fresh process from the environment as a deployment
would: `retorno check --deploy` is clean, secrets are required, and behind a TLS proxy the site
is https only (redirect, HSTS, Secure cookies) with a Content-Security-Policy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RETORNO = Path(sys.executable).parent / "retorno"
SECRET_KEY = "q7Vw-3nR_xT9pLm2Zk8sYb4HcJf6GdNeUa1oWiE5rQtXyMvBn0Kl"  # a test's own, 52 characters
ENCRYPTION_KEY = "u8Hs2Pq9Lk3Wm7Zx1Nv4Bc6Rt0Yf5Gj8"


def production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "RETORNO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": SECRET_KEY,
        "RETORNO_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "returns.example.com",
        "RETORNO_PUBLIC_URL": "https://returns.example.com",
        "BEHIND_TLS_PROXY": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "RETORNO_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    result = run(
        production_env(tmp_path), str(RETORNO), "check", "--deploy", "--fail-level", "DEBUG"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY is a published example value"),
        (
            {"SECRET_KEY": "retorno-insecure-development-key-change-me-in-production"},
            "SECRET_KEY is a published example value",
        ),
        ({"SECRET_KEY": "short-but-secret"}, "SECRET_KEY is too short"),
        ({"RETORNO_ENCRYPTION_KEY": None}, "RETORNO_ENCRYPTION_KEY is not set"),
        ({"RETORNO_ENCRYPTION_KEY": f"{ENCRYPTION_KEY},old"}, "at least 32 characters"),
        ({"RETORNO_ENV": "prod"}, "RETORNO_ENV is 'production' or 'development'"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(
    tmp_path: Path, changes: dict[str, str | None], message: str
) -> None:
    result = run(production_env(tmp_path, **changes), str(RETORNO), "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_development_starts_without_them(tmp_path: Path) -> None:
    env = production_env(
        tmp_path, RETORNO_ENV="development", SECRET_KEY=None, RETORNO_ENCRYPTION_KEY=None
    )
    result = run(env, str(RETORNO), "check")
    assert result.returncode == 0, result.stderr


SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER]))"
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, [True, 31536000, True, True, ["HTTP_X_FORWARDED_PROTO", "https"]]),
        ({"BEHIND_TLS_PROXY": "false"}, [False, 0, False, False, None]),
        (
            {"SECURE_HSTS_SECONDS": "600", "SECURE_SSL_REDIRECT": "false"},
            [False, 600, True, True, ["HTTP_X_FORWARDED_PROTO", "https"]],
        ),
    ],
)
def test_behind_a_tls_proxy_https_is_required(tmp_path: Path, changes, expected) -> None:
    result = run(production_env(tmp_path, **changes), sys.executable, "-c", SETTINGS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


REQUESTS = """
import django, json
django.setup()
from django.test import Client
client = Client(HTTP_HOST="returns.example.com")
plain = client.get("/staff/login")
tls = client.get("/staff/login", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "tls": [tls.status_code, tls.get("Strict-Transport-Security"),
            tls.get("Content-Security-Policy"), tls.cookies["csrftoken"]["secure"]],
}))
"""


def test_the_production_site_redirects_to_https_and_sends_its_headers(tmp_path: Path) -> None:
    result = run(production_env(tmp_path), sys.executable, "-c", REQUESTS)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert answers["plain"] == [301, "https://returns.example.com/staff/login"]
    status, hsts, csp, secure_cookie = answers["tls"]
    assert status == 200
    assert hsts == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert secure_cookie is True
