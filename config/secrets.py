"""What production refuses as a secret: settings call these before anything starts."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'


def secret_key_problem(value: str, *, public: tuple[str, ...]) -> None:
    """Raise ImproperlyConfigured unless `value` can sign sessions and tokens in production:
    set, not a value published anywhere, at least 50 characters of some variety."""
    if not value:
        raise ImproperlyConfigured(f"SECRET_KEY is not set. Generate one with: {GENERATE}")
    if value in public or value.startswith("django-insecure"):
        raise ImproperlyConfigured(
            f"SECRET_KEY is a published example value. Generate one with: {GENERATE}"
        )
    if len(value) < 50 or len(set(value)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too short (at least 50 characters). Generate one with: {GENERATE}"
        )


def encryption_keys_problem(keys: list[str]) -> None:
    """Raise ImproperlyConfigured when an encryption key is too short to be a secret."""
    if any(len(key) < 32 for key in keys):
        raise ImproperlyConfigured(
            "Each RETORNO_ENCRYPTION_KEY is at least 32 characters. Generate one with: "
            'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
