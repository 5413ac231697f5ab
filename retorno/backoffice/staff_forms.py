"""Forms of the team pages: an invitation, a role change, accepting an invitation, the audit
log's filters. Role choices are only those the signed-in role may give (retorno.domain.staff)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from retorno.accounts.selectors import AuditFilters
from retorno.core import labels
from retorno.domain import staff as rules
from retorno.domain.days import zone

# Messages for the codes the team's services answer with, in the page's language.
PROBLEMS = {
    "already_member": _("This person already works in this store."),
    "role_not_yours": _("Your role may not give, change or remove this role."),
    "last_owner": _("A store keeps at least one owner: make someone else owner first."),
    "deactivate_self": _("You cannot deactivate yourself."),
    "member_not_found": _("No such person in this store."),
    "invite_not_found": _("No such invitation waiting."),
    "invalid_role": _("Choose one of the roles listed."),
    "invite_invalid": _("This invitation link is not valid."),
    "invite_expired": _("This invitation has expired: ask for a new one."),
    "invite_accepted": _("This invitation was already used."),
    "invite_revoked": _("This invitation was withdrawn."),
    "invite_other_address": _(
        "This invitation was sent to another address: sign out and open the link again."
    ),
    "account_exists": _("An account already uses this address: sign in to accept."),
    "username_taken": _("This user name is taken: choose another."),
    "invalid_username": _("Choose a user name."),
}


def problem_text(code: str, fallback: str) -> str:
    found = PROBLEMS.get(code)
    return str(found) if found is not None else fallback


def role_choices(actor_role: str) -> list[tuple[str, str]]:
    return [(role, labels.label("role", role)) for role in rules.grantable_roles(actor_role)]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices = role_choices(actor_role)
        cast(forms.ChoiceField, self.fields["role"]).choices = choices
        # The least trusted role first proposed: giving more is a choice, not a default.
        codes = [code for code, _name in choices]
        self.fields["role"].initial = (
            rules.AGENT if rules.AGENT in codes else (codes[-1] if codes else None)
        )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, actor_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices(actor_role)


class AcceptForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.CharField(label=_("User name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class AuditFilterForm(forms.Form):
    who = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, people: list[tuple[int, str]], actions: list[str], **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["who"]).choices = [
            ("", _("Anyone")),
            *[(str(pk), name) for pk, name in people],
        ]
        families = sorted({a.split(".", 1)[0] for a in actions})
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", _("Anything")),
            *[(f, labels.label("audit_family", f)) for f in families],
            *[(a, labels.label("audit_action", a)) for a in actions],
        ]

    def filters(self, timezone_name: str) -> AuditFilters:
        """The filters asked for; the days are the store's (from its midnight to the next)."""
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        where = zone(timezone_name)

        def start(day: Any) -> datetime | None:
            return datetime.combine(day, time.min, tzinfo=where) if day else None

        until = data.get("until")
        return AuditFilters(
            actor=data.get("who"),
            action=data.get("action") or "",
            since=start(data.get("since")),
            until=start(until + timedelta(days=1)) if until else None,
        )
