"""Who may do what in the back office: one table, action -> roles.

Views declare their action with `@staff_view(action)` (see `access.py`); templates ask
`staff.can.<action>` to show a form or a link only to the roles allowed. To add a page or an
action: add its name here, give it to roles, and decorate the view with it.
"""

from __future__ import annotations

from types import MappingProxyType

from django.utils.translation import gettext_lazy as _

from retorno.accounts.models import Role

OWNER, ADMIN, MANAGER, AGENT, WAREHOUSE, FINANCE, ANALYST = (
    Role.OWNER.value,
    Role.ADMIN.value,
    Role.MANAGER.value,
    Role.AGENT.value,
    Role.WAREHOUSE.value,
    Role.FINANCE.value,
    Role.ANALYST.value,
)
EVERYONE = frozenset({OWNER, ADMIN, MANAGER, AGENT, WAREHOUSE, FINANCE, ANALYST})


def _leads(*roles: str) -> frozenset[str]:
    """`roles` and those who lead the daily work: owners, admins and managers."""
    return frozenset({OWNER, ADMIN, MANAGER, *roles})


# Actions (stable names, used in views, templates and tests).
VIEW = "view"
APPROVE = "approve"
REJECT = "reject"
CANCEL = "cancel"
OVERRIDE = "override"
RECEIVE = "receive"
INSPECT = "inspect"
SET_DISPOSITION = "set_disposition"
REFUND_VIEW = "refund_view"
REFUND_RETRY = "refund_retry"
CLAIM_VIEW = "claim_view"
CLAIM_HANDLE = "claim_handle"
CONFIGURE = "configure"
INSIGHT_VIEW = "insight_view"
ANALYTICS_VIEW = "analytics_view"
MESSAGES_VIEW = "messages_view"
MESSAGES_RESEND = "messages_resend"
TEAM_MANAGE = "team_manage"
AUDIT_VIEW = "audit_view"

PERMISSIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        # Reading the dashboard, the queue and a return: every role (analysts only read).
        VIEW: EVERYONE,
        # Customer service: decisions on returns.
        APPROVE: _leads(AGENT),
        REJECT: _leads(AGENT),
        CANCEL: _leads(AGENT),
        OVERRIDE: _leads(AGENT),
        # Warehouse: goods in, checked, sent on.
        RECEIVE: _leads(WAREHOUSE),
        INSPECT: _leads(WAREHOUSE),
        SET_DISPOSITION: _leads(WAREHOUSE),
        # Money: finance sees and retries refunds; analysts may read the figures.
        REFUND_VIEW: _leads(FINANCE, ANALYST),
        REFUND_RETRY: _leads(FINANCE),
        # Claims (damaged, missing, wrong item kept by the shopper): customer service opens and
        # settles them with finance; the refund they lead to goes through the same ledger.
        CLAIM_VIEW: _leads(AGENT, FINANCE, ANALYST),
        CLAIM_HANDLE: _leads(AGENT, FINANCE),
        # Store settings: policy, carriers, rules, branding, keys. Managers run the team's day
        # but change no setting.
        CONFIGURE: frozenset({OWNER, ADMIN}),
        # What shoppers' comments say, product by product: for analysts and those who lead.
        INSIGHT_VIEW: _leads(ANALYST),
        # Return rates, reasons, sizing, suppliers, cycle times: for analysts and those who lead.
        ANALYTICS_VIEW: _leads(ANALYST),
        # What was sent to shoppers (their addresses and the words): customer service.
        MESSAGES_VIEW: _leads(AGENT),
        MESSAGES_RESEND: _leads(AGENT),
        # The team: invitations, roles, deactivation. Whom each may manage is
        # retorno.domain.staff (managers: agents and warehouse staff only).
        TEAM_MANAGE: _leads(),
        # Who changed what: the audit log.
        AUDIT_VIEW: _leads(),
    }
)

ACTION_LABELS = MappingProxyType(
    {
        VIEW: _("see this store's returns"),
        APPROVE: _("approve returns"),
        REJECT: _("reject returns"),
        CANCEL: _("cancel returns"),
        OVERRIDE: _("override policy decisions"),
        RECEIVE: _("receive parcels"),
        INSPECT: _("inspect items"),
        SET_DISPOSITION: _("set the disposition of items"),
        REFUND_VIEW: _("see refunds"),
        REFUND_RETRY: _("retry refunds"),
        CLAIM_VIEW: _("see claims"),
        CLAIM_HANDLE: _("open and settle claims"),
        CONFIGURE: _("change the store's settings"),
        INSIGHT_VIEW: _("read the comment insight"),
        ANALYTICS_VIEW: _("read the analytics"),
        MESSAGES_VIEW: _("read the messages sent to shoppers"),
        MESSAGES_RESEND: _("send messages again"),
        TEAM_MANAGE: _("manage the store's team"),
        AUDIT_VIEW: _("read the audit log"),
    }
)


def is_allowed(role: str | None, action: str) -> bool:
    """Whether `role` may perform `action`. Unknown actions are allowed to nobody."""
    return role is not None and role in PERMISSIONS.get(action, frozenset())
