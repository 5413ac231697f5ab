"""A store's team: invitations by e-mail, roles, deactivation and reactivation.

Who may do what to whom is retorno.domain.staff; every change is on the audit log. An invitation
is a signed link (django.core.signing, salt INVITE_SALT) naming the invitation's nonce: it opens
for INVITE_DAYS days and once; a new invitation to the same address replaces the old one.
Deactivating someone stops them at once: their membership no longer opens the store's pages, the
API keys they made for the store are revoked, and without another store their account is
switched off (which ends their sessions on the next request)."""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from retorno.accounts.models import ApiKey, Membership, Role, StaffInvite
from retorno.accounts.services import api_key_revoke
from retorno.accounts.services.audit import actor_user, audit_record, person_label
from retorno.core.errors import Conflict, NotFound, PermissionDenied, Unprocessable
from retorno.core.labels import label
from retorno.domain import staff as rules
from retorno.stores.models import Store

INVITE_SALT = "retorno.staff-invite"


@dataclass(frozen=True)
class Sent:
    invite: StaffInvite
    delivered: bool  # False when the mail server refused or could not be reached


def _forbid(actor_role: str | None, role: str) -> None:
    if not rules.may_manage(actor_role, role):
        raise PermissionDenied(
            f"Your role may not give or change the role {role!r}.", code="role_not_yours"
        )


def invite_token(invite: StaffInvite) -> str:
    return signing.dumps({"n": invite.nonce}, salt=INVITE_SALT, compress=True)


def invite_url(invite: StaffInvite) -> str:
    path = reverse("backoffice:invite_accept", args=[invite_token(invite)])
    return f"{settings.RETORNO_PUBLIC_URL}{path}"


def _send_invite(invite: StaffInvite, *, inviter: str) -> bool:
    with translation.override(invite.language):
        context = {
            "store": invite.store,
            "role_label": str(label("role", invite.role)),
            "inviter": inviter,
            "url": invite_url(invite),
            "days": rules.INVITE_DAYS,
            "expires_at": invite.expires_at,
        }
        subject = render_to_string("accounts/invite_subject.txt", context).strip()
        body = render_to_string("accounts/invite_email.txt", context)
    try:
        send_mail(subject, body, None, [invite.email])
    except (OSError, smtplib.SMTPException):
        return False
    StaffInvite.objects.filter(pk=invite.pk).update(sent_at=timezone.now())
    return True


def invite_send(
    *, store: Store, actor: Any, actor_role: str, email: str, role: str, language: str = "en"
) -> Sent:
    """Invite `email` to the store with `role` (an earlier invitation to it is revoked)."""
    email = rules.normalise_email(email)
    if role not in Role.values:
        raise Unprocessable(f"Unknown role {role!r}.", code="invalid_role")
    _forbid(actor_role, role)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE[:2]
    if Membership.objects.filter(
        store=store, user__email__iexact=email, deactivated_at__isnull=True
    ).exists():
        raise Conflict("This person already works in this store.", code="already_member")
    now = timezone.now()
    with transaction.atomic():
        StaffInvite.objects.filter(
            store=store, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now, updated_at=now)
        invite = StaffInvite.objects.create(
            store=store,
            email=email,
            role=role,
            language=language,
            nonce=secrets.token_hex(16),
            invited_by=actor_user(actor),
            expires_at=rules.invite_expires_at(now),
        )
        audit_record(
            store=store,
            actor=actor,
            action="staff.invited",
            target=email,
            details={"role": role, "language": language},
            at=now,
        )
    delivered = _send_invite(invite, inviter=person_label(actor_user(actor) or actor))
    invite.refresh_from_db()
    return Sent(invite, delivered)


def invite_resend(*, store: Store, actor: Any, actor_role: str, invite_id: int) -> Sent:
    """Send a pending (or expired) invitation again as a new one, with a fresh link."""
    invite = StaffInvite.objects.filter(store=store, pk=invite_id).first()
    if invite is None or invite.accepted_at is not None:
        raise NotFound("No such invitation waiting.", code="invite_not_found")
    return invite_send(
        store=store,
        actor=actor,
        actor_role=actor_role,
        email=invite.email,
        role=invite.role,
        language=invite.language,
    )


def invite_revoke(*, store: Store, actor: Any, actor_role: str, invite_id: int) -> StaffInvite:
    with transaction.atomic():
        invite = StaffInvite.objects.select_for_update().filter(store=store, pk=invite_id).first()
        if invite is None or invite.accepted_at is not None:
            raise NotFound("No such invitation waiting.", code="invite_not_found")
        _forbid(actor_role, invite.role)
        if invite.revoked_at is None:
            invite.revoked_at = timezone.now()
            invite.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                store=store,
                actor=actor,
                action="staff.invite_revoked",
                target=invite.email,
                details={"role": invite.role},
            )
    return invite


def invite_open(token: str) -> StaffInvite:
    """The invitation a link names while it may still be accepted; NotFound otherwise (a
    forged, expired, used or revoked link reads the same to whoever holds it)."""
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=rules.INVITE_DAYS * 24 * 3600 + 3600)
    except signing.BadSignature:
        raise NotFound("This invitation link is not valid.", code="invite_invalid") from None
    nonce = data.get("n") if isinstance(data, dict) else None
    invite = (
        StaffInvite.objects.select_related("store").filter(nonce=str(nonce or "")).first()
        if nonce
        else None
    )
    if invite is None:
        raise NotFound("This invitation link is not valid.", code="invite_invalid")
    state = rules.invite_state(
        now=timezone.now(),
        expires_at=invite.expires_at,
        accepted_at=invite.accepted_at,
        revoked_at=invite.revoked_at,
    )
    if state != "pending":
        raise NotFound(f"This invitation is {state}.", code=f"invite_{state}")
    return invite


def existing_account(invite: StaffInvite) -> Any:
    """The account already using the invitation's address, if any."""
    return get_user_model().objects.filter(email__iexact=invite.email).order_by("id").first()


def invite_accept(
    *,
    token: str,
    user: Any = None,
    username: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Accept an invitation: as the signed-in `user` whose address it names, or by opening a
    new account with `username` and `password` (validated like any password)."""
    invite = invite_open(token)
    user_model = get_user_model()
    with transaction.atomic():
        invite = StaffInvite.objects.select_for_update().get(pk=invite.pk)
        if invite.accepted_at is not None or invite.revoked_at is not None:
            raise NotFound("This invitation was already used.", code="invite_accepted")
        if user is not None and getattr(user, "is_authenticated", False):
            if rules.normalise_email(user.email).lower() != invite.email.lower():
                raise PermissionDenied(
                    "This invitation was sent to another address.", code="invite_other_address"
                )
        else:
            if existing_account(invite) is not None:
                raise Conflict(
                    "An account uses this address: sign in to accept.", code="account_exists"
                )
            username = (username or "").strip()
            if not username or len(username) > 150:
                raise Unprocessable("Choose a user name.", code="invalid_username")
            if user_model.objects.filter(username__iexact=username).exists():
                raise Conflict("This user name is taken.", code="username_taken")
            candidate = user_model(
                username=username,
                email=invite.email,
                first_name=first_name.strip()[:150],
                last_name=last_name.strip()[:150],
                is_staff=True,
            )
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                raise Unprocessable(
                    " ".join(error.messages), code="weak_password", messages=error.messages
                ) from None
            candidate.set_password(password)
            candidate.save()
            user = candidate
        membership, _ = Membership.objects.update_or_create(
            user=user, store=invite.store, defaults={"role": invite.role, "deactivated_at": None}
        )
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        invite.accepted_at = timezone.now()
        invite.accepted_by = user
        invite.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_record(
            store=invite.store,
            actor=user,
            action="staff.joined",
            target=invite.email,
            details={"role": invite.role},
        )
    return membership


def _member(store: Store, user_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(store=store, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound("No such person in this store.", code="member_not_found")
    return membership


def _active_roles(store: Store) -> list[str]:
    return list(
        Membership.objects.filter(store=store, deactivated_at__isnull=True).values_list(
            "role", flat=True
        )
    )


def role_change(
    *, store: Store, actor: Any, actor_role: str, user_id: int, role: str
) -> Membership:
    if role not in Role.values:
        raise Unprocessable(f"Unknown role {role!r}.", code="invalid_role")
    with transaction.atomic():
        membership = _member(store, user_id)
        before = membership.role
        if not rules.may_change_role(actor_role, before, role):
            raise PermissionDenied("Your role may not make this change.", code="role_not_yours")
        if not rules.leaves_an_owner(_active_roles(store), losing=before, new_role=role):
            raise Conflict("A store keeps at least one owner.", code="last_owner")
        if before != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
            audit_record(
                store=store,
                actor=actor,
                action="staff.role_changed",
                target=membership.user.email or membership.user.get_username(),
                details={"from": before, "to": role},
            )
    return membership


def member_deactivate(*, store: Store, actor: Any, actor_role: str, user_id: int) -> Membership:
    """Stop someone working in the store, at once (see the module's description)."""
    with transaction.atomic():
        membership = _member(store, user_id)
        if membership.user_id == getattr(actor, "pk", None):
            raise Conflict("You cannot deactivate yourself.", code="deactivate_self")
        _forbid(actor_role, membership.role)
        if not rules.leaves_an_owner(_active_roles(store), losing=membership.role, new_role=None):
            raise Conflict("A store keeps at least one owner.", code="last_owner")
        if membership.deactivated_at is not None:
            return membership
        now = timezone.now()
        membership.deactivated_at = now
        membership.save(update_fields=["deactivated_at", "updated_at"])
        revoked = [
            api_key_revoke(store=store, key_id=key_id).name
            for key_id in ApiKey.objects.filter(
                store=store, created_by=membership.user, revoked_at__isnull=True
            ).values_list("id", flat=True)
        ]
        user = membership.user
        elsewhere = Membership.objects.filter(user=user, deactivated_at__isnull=True).exists()
        if not elsewhere and not user.is_superuser and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        audit_record(
            store=store,
            actor=actor,
            action="staff.deactivated",
            target=user.email or user.get_username(),
            details={"role": membership.role, "api_keys_revoked": revoked},
            at=now,
        )
    return membership


def member_reactivate(*, store: Store, actor: Any, actor_role: str, user_id: int) -> Membership:
    """Let someone work in the store again (the API keys revoked stay revoked)."""
    with transaction.atomic():
        membership = _member(store, user_id)
        _forbid(actor_role, membership.role)
        if membership.deactivated_at is None:
            return membership
        membership.deactivated_at = None
        membership.save(update_fields=["deactivated_at", "updated_at"])
        user = membership.user
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        audit_record(
            store=store,
            actor=actor,
            action="staff.reactivated",
            target=user.email or user.get_username(),
            details={"role": membership.role},
        )
    return membership


def member_password_reset(
    *, store: Store, actor: Any, actor_role: str, user_id: int, language: str = "en"
) -> bool:
    """E-mail someone the store's team manages a link to choose a new password: the same
    message and one-use link as "forgot my password" on the sign-in page (nothing changes until
    they open it). Refused for someone deactivated, or whose account has no address. Answers
    whether the mail server took the message."""
    with transaction.atomic():
        membership = _member(store, user_id)
        _forbid(actor_role, membership.role)
        user = membership.user
        if membership.deactivated_at is not None or not user.is_active:
            raise Conflict("This person is deactivated: reactivate them first.", code="deactivated")
        if not user.email:
            raise Unprocessable("This person's account has no e-mail address.", code="no_email")
        audit_record(
            store=store,
            actor=actor,
            action="staff.password_reset_sent",
            target=user.email,
            details={"role": membership.role},
        )
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE[:2]
    with translation.override(language):
        context = {
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
            "public_url": settings.RETORNO_PUBLIC_URL,
        }
        subject = render_to_string("accounts/password_reset_subject.txt", context)
        body = render_to_string("accounts/password_reset_email.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        return False
    return True
