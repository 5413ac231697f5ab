"""Sign-in forms of the staff pages and of the admin, with password guessing throttled."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import ngettext

from retorno.accounts.services.signin import signin_attempt_begin, signin_attempt_succeeded
from retorno.core.clientip import client_address

TOO_MANY_ATTEMPTS = "too_many_attempts"


class ThrottledSignIn(AuthenticationForm):
    """Refuses to check a password when the account or the address has had too many attempts
    recently (retorno.accounts.services.signin), with a message that says when to try again."""

    throttled_message = ""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        attempt = signin_attempt_begin(
            username=username,
            address=client_address(self.request) if self.request else "",
            now=timezone.now(),
        )
        if attempt.blocked_minutes is not None:
            minutes = attempt.blocked_minutes
            self.throttled_message = ngettext(
                "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
            raise forms.ValidationError(self.throttled_message, code=TOO_MANY_ATTEMPTS)
        cleaned = super().clean()  # a wrong password raises here: the attempt keeps counting
        signin_attempt_succeeded(attempt)
        return cleaned

    def is_throttled(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, TOO_MANY_ATTEMPTS)


class ThrottledAdminSignIn(ThrottledSignIn, AdminAuthenticationForm):
    """The admin's sign-in (staff users only), throttled the same way."""


class StaffPasswordReset(PasswordResetForm):
    """The staff's "forgot my password": Django's form (it says the same whether or not the
    address is known, and sends nothing to switched-off accounts), with the link built on
    RETORNO_PUBLIC_URL rather than on the Host the request claims."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "public_url": settings.RETORNO_PUBLIC_URL,
        }
        super().save(*args, **kwargs)
