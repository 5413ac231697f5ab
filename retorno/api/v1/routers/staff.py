"""A store's team through the API (scope `team`): who works there, invitations by e-mail,
roles, deactivation and reactivation, password-reset e-mails.

A key acts with the role of the person who made it (retorno.accounts.selectors.api_key_role):
whom that role may manage is retorno.domain.staff, the same rules as the team's page, and every
change is on the audit log under the key's name and its maker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from retorno.accounts import selectors
from retorno.accounts.models import ApiKey, Membership, StaffInvite
from retorno.accounts.services import team
from retorno.accounts.services.audit import KeyActor
from retorno.api.v1.auth import require_scope
from retorno.api.v1.routers.common import ERRORS, WRITE_ERRORS
from retorno.core.errors import PermissionDenied
from retorno.domain import staff as rules

router = Router(tags=["staff"])

RoleName = Literal["owner", "admin", "manager", "agent", "warehouse", "finance", "analyst"]
Language = Literal["en", "es"]


class MemberOut(Schema):
    user_id: int
    username: str
    name: str
    email: str
    role: str
    active: bool = Field(description="False once deactivated: their pages and API keys stop.")
    deactivated_at: datetime | None
    joined_at: datetime


class MemberListOut(Schema):
    results: list[MemberOut] = Field(description="Active people first, then deactivated; by name.")


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    language: str
    state: str = Field(description="pending, accepted, revoked or expired.")
    sent_at: datetime | None = Field(description="When the e-mail was last taken by the server.")
    expires_at: datetime
    created_at: datetime


class InvitationSentOut(InvitationOut):
    delivered: bool = Field(
        description="False when the mail server refused the e-mail: the invitation is kept, "
        "send it again later."
    )


class InvitationListOut(Schema):
    results: list[InvitationOut] = Field(description="Invitations waiting, newest first.")


class InvitationIn(Schema):
    email: str = Field(..., min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    role: RoleName
    language: Language = Field("en", description="The language of the e-mail and its page.")


class RoleIn(Schema):
    role: RoleName


class PasswordResetIn(Schema):
    language: Language = "en"


class PasswordResetOut(Schema):
    delivered: bool = Field(description="Whether the mail server took the e-mail.")


Done = TypeVar("Done")


def _as_key_maker(request: HttpRequest, change: Callable[..., Done], **arguments: Any) -> Done:
    """Run one change of the team's services on the key's store, recorded under the key and its
    maker and allowed by the maker's role (403 `role_not_yours` once they no longer work here)."""
    api_key: ApiKey = require_scope(request, "team")
    role = selectors.api_key_role(api_key)
    if role is None:
        raise PermissionDenied(
            "The person who made this key no longer works in this store.", code="role_not_yours"
        )
    actor = KeyActor(api_key.created_by, api_key.name)
    return change(store=api_key.store, actor=actor, actor_role=role, **arguments)


def _member_body(membership: Membership) -> dict[str, Any]:
    user = membership.user
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email or "",
        "role": membership.role,
        "active": membership.deactivated_at is None,
        "deactivated_at": membership.deactivated_at,
        "joined_at": membership.created_at,
    }


def _invite_body(invite: StaffInvite) -> dict[str, Any]:
    return {
        "id": invite.pk,
        "email": invite.email,
        "role": invite.role,
        "language": invite.language,
        "state": rules.invite_state(
            now=timezone.now(),
            expires_at=invite.expires_at,
            accepted_at=invite.accepted_at,
            revoked_at=invite.revoked_at,
        ),
        "sent_at": invite.sent_at,
        "expires_at": invite.expires_at,
        "created_at": invite.created_at,
    }


def _sent_body(sent: team.Sent) -> dict[str, Any]:
    return {**_invite_body(sent.invite), "delivered": sent.delivered}


@router.get("/staff", response={200: MemberListOut, **ERRORS}, summary="The team")
def staff_list(request: HttpRequest):
    """Everyone who works or worked in the store, with their role."""
    api_key = require_scope(request, "team")
    found = selectors.team_for_store(store=api_key.store)
    return {"results": [_member_body(m) for m in found.members]}


@router.get(
    "/staff/invitations", response={200: InvitationListOut, **ERRORS}, summary="Invitations"
)
def staff_invitation_list(request: HttpRequest):
    """Invitations not yet accepted nor withdrawn (expired ones included, to send again)."""
    api_key = require_scope(request, "team")
    found = selectors.team_for_store(store=api_key.store)
    return {"results": [_invite_body(i) for i in found.invites]}


@router.post(
    "/staff/invitations",
    response={201: InvitationSentOut, **WRITE_ERRORS},
    summary="Invite someone",
)
def staff_invite(request: HttpRequest, payload: InvitationIn):
    """E-mail a signed link that opens for 7 days and once; an earlier invitation to the same
    address is withdrawn. 403 `role_not_yours` for a role the key's maker may not give, 409
    `already_member` for someone already working here."""
    sent = _as_key_maker(
        request, team.invite_send, email=payload.email, role=payload.role, language=payload.language
    )
    return Status(201, _sent_body(sent))


@router.post(
    "/staff/invitations/{invite_id}/resend",
    response={201: InvitationSentOut, **WRITE_ERRORS},
    summary="Send an invitation again",
)
def staff_invite_resend(request: HttpRequest, invite_id: int):
    """A new invitation with a fresh link replaces this one (which stops opening)."""
    return Status(201, _sent_body(_as_key_maker(request, team.invite_resend, invite_id=invite_id)))


@router.post(
    "/staff/invitations/{invite_id}/revoke",
    response={200: InvitationOut, **WRITE_ERRORS},
    summary="Withdraw an invitation",
)
def staff_invite_revoke(request: HttpRequest, invite_id: int):
    """Its link no longer opens (withdrawing it again changes nothing)."""
    return _invite_body(_as_key_maker(request, team.invite_revoke, invite_id=invite_id))


@router.put(
    "/staff/{user_id}/role",
    response={200: MemberOut, **WRITE_ERRORS},
    summary="Change someone's role",
)
def staff_role(request: HttpRequest, user_id: int, payload: RoleIn):
    """The key's maker must manage both the role held and the role given; 409 `last_owner` when
    the store would be left without an owner."""
    return _member_body(
        _as_key_maker(request, team.role_change, user_id=user_id, role=payload.role)
    )


@router.post(
    "/staff/{user_id}/deactivate",
    response={200: MemberOut, **WRITE_ERRORS},
    summary="Deactivate someone",
)
def staff_deactivate(request: HttpRequest, user_id: int):
    """Their pages stop at once and the API keys they made are revoked (a key cannot deactivate
    its own maker: 409 `deactivate_self`)."""
    return _member_body(_as_key_maker(request, team.member_deactivate, user_id=user_id))


@router.post(
    "/staff/{user_id}/reactivate",
    response={200: MemberOut, **WRITE_ERRORS},
    summary="Reactivate someone",
)
def staff_reactivate(request: HttpRequest, user_id: int):
    """They can sign in again; the API keys revoked when they left stay revoked."""
    return _member_body(_as_key_maker(request, team.member_reactivate, user_id=user_id))


@router.post(
    "/staff/{user_id}/password-reset",
    response={202: PasswordResetOut, **WRITE_ERRORS},
    summary="E-mail a password reset",
)
def staff_password_reset(request: HttpRequest, user_id: int, payload: PasswordResetIn):
    """E-mails them a one-use link to choose a new password (their password stays until they
    do). 409 `deactivated` for someone deactivated, 422 `no_email` without an address."""
    delivered = _as_key_maker(
        request, team.member_password_reset, user_id=user_id, language=payload.language
    )
    return Status(202, {"delivered": delivered})
