"""Who may give which role to whom in a store's team, and when an invitation still opens.

Pure rules over role names (strings) and times: the services apply them, the pages and the API
refuse what they refuse. The ladder, most trusted first:

- owner: everything, and the only one who may make or remove owners;
- admin: everything but owners (the store's settings, its team, its money);
- manager: runs the daily team: decisions, warehouse, refunds and the audit log; invites and
  deactivates agents and warehouse staff, but changes no store setting;
- agent, warehouse, finance, analyst: their own work, no team.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

OWNER, ADMIN, MANAGER = "owner", "admin", "manager"
AGENT, WAREHOUSE, FINANCE, ANALYST = "agent", "warehouse", "finance", "analyst"
ROLES: tuple[str, ...] = (OWNER, ADMIN, MANAGER, AGENT, WAREHOUSE, FINANCE, ANALYST)

# Which roles a role may give, take away or deactivate.
_MANAGES: dict[str, frozenset[str]] = {
    OWNER: frozenset(ROLES),
    ADMIN: frozenset(ROLES) - {OWNER},
    MANAGER: frozenset({AGENT, WAREHOUSE}),
}

# How long an invitation's link opens.
INVITE_DAYS = 7


def grantable_roles(actor_role: str | None) -> tuple[str, ...]:
    """The roles `actor_role` may give, in the ladder's order (none for an unknown role)."""
    allowed = _MANAGES.get(actor_role or "", frozenset())
    return tuple(role for role in ROLES if role in allowed)


def may_manage(actor_role: str | None, target_role: str) -> bool:
    """Whether `actor_role` may change or deactivate someone whose role is `target_role`."""
    return target_role in _MANAGES.get(actor_role or "", frozenset())


def may_change_role(actor_role: str | None, current: str, wanted: str) -> bool:
    """A role change needs the actor to manage both the role held and the role given."""
    return may_manage(actor_role, current) and may_manage(actor_role, wanted)


def leaves_an_owner(active_roles: Iterable[str], *, losing: str, new_role: str | None) -> bool:
    """Whether the store keeps at least one active owner after one member holding `losing`
    becomes `new_role` (None: deactivated). A store without owners has nobody to manage them."""
    roles = list(active_roles)
    owners = roles.count(OWNER)
    if losing == OWNER and new_role != OWNER:
        owners -= 1
    return owners > 0 or OWNER not in roles


def invite_expires_at(sent_at: datetime, days: int = INVITE_DAYS) -> datetime:
    return sent_at + timedelta(days=days)


def invite_state(
    *,
    now: datetime,
    expires_at: datetime,
    accepted_at: datetime | None,
    revoked_at: datetime | None,
) -> str:
    """pending, accepted, revoked or expired (accepted and revoked win over the clock)."""
    if accepted_at is not None:
        return "accepted"
    if revoked_at is not None:
        return "revoked"
    if now >= expires_at:
        return "expired"
    return "pending"


def normalise_email(email: str) -> str:
    """An address as compared: trimmed, the domain lower-cased (the local part is kept)."""
    email = (email or "").strip()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    return f"{local}@{domain.lower()}"
