"""Who may act on a store: staff memberships with a role, and API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from retorno.core.models import TimeStampedModel
from retorno.stores.models import Store


class Role(models.TextChoices):
    """The ladder and who may give which role: retorno.domain.staff."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Agent"
    WAREHOUSE = "warehouse", "Warehouse"
    FINANCE = "finance", "Finance"
    ANALYST = "analyst", "Analyst"


class Membership(TimeStampedModel):
    """A staff user's role in one store; a user can belong to several stores."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    deactivated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the person no longer works here: their pages and API keys stop.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "store"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} · {self.store} · {self.role}"


class Scope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    ADMIN = "admin", "Admin (policy)"
    # The store's team through the API (/api/v1/staff): never given by default, so a key
    # made for an integration cannot invite people or change roles.
    TEAM = "team", "Team"


class ApiKey(TimeStampedModel):
    """A store's API key. Only a SHA-256 digest is kept; the key itself is shown once."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80)
    prefix = models.CharField(
        max_length=16, help_text="First characters of the key, to recognise it."
    )
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_keys_created",
        help_text="The staff member who made it: deactivating them revokes it.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SignInAttempt(models.Model):
    """One guess that has not succeeded, counted by subject and by address to throttle guessing
    (retorno.accounts.services.attempts): a password on the staff pages and the admin (scope `signin`,
    subject the account), an order's e-mail on the portal's lookup (scope `lookup`, subject the
    order number from that address).

    Rows hold digests, not the names or addresses themselves, and are removed when they can no
    longer count (after their scope's window) or when the same subject succeeds from the same
    address."""

    scope = models.CharField(max_length=20, default="signin")
    username_digest = models.CharField(max_length=64)
    address_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username_digest", "created_at"], name="signin_by_account"),
            models.Index(fields=["address_digest", "created_at"], name="signin_by_address"),
            models.Index(fields=["created_at"], name="signin_by_time"),
        ]

    def __str__(self) -> str:
        return f"sign-in attempt at {self.created_at:%Y-%m-%d %H:%M:%S}"


class SavedView(TimeStampedModel):
    """A named set of the returns queue's filters, kept by a staff member for their daily work:
    their own, or shared with everyone in the store."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="saved_views")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    query = models.CharField(
        max_length=1000, help_text="The queue's filters as its address's query string."
    )
    shared = models.BooleanField(default=False, help_text="Listed for everyone in the store.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "owner", "name"], name="uniq_saved_view_name")
        ]
        indexes = [models.Index(fields=["store", "owner"], name="saved_view_owner")]

    def __str__(self) -> str:
        return f"{self.store} · {self.name}"


class StaffInvite(TimeStampedModel):
    """An invitation to join a store's team with a role, sent by e-mail as a signed link that
    opens until `expires_at` and once (retorno.accounts.services.team)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="staff_invites")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    language = models.CharField(max_length=8, default="en")
    nonce = models.CharField(max_length=32, unique=True, help_text="Named by the signed link.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_invites_sent",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_invites_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["store", "-created_at"], name="staff_invite_store")]

    def __str__(self) -> str:
        return f"{self.store} · {self.email} · {self.role}"


class AuditEntry(models.Model):
    """One staff action that changed a store: who (kept by name too, should the account go),
    what (a stable action code and its object), when, and the details (never a secret)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["store", "-created_at", "-id"], name="audit_store_time"),
            models.Index(fields=["store", "action", "-created_at"], name="audit_store_action"),
            models.Index(fields=["store", "actor", "-created_at"], name="audit_store_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.actor_label} · {self.action}"
