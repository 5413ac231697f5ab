from django.contrib import admin

from retorno.accounts.models import (
    ApiKey,
    AuditEntry,
    Membership,
    SavedView,
    SignInAttempt,
    StaffInvite,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services that check and record them: read here, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Who works where, to read. Roles are given, changed and taken away on a store's Team page
    (a platform admin works there as the store's owner), where each change is checked against
    the roles' rules and written on the store's audit log; an edit here would be neither."""

    list_display = ("user", "store", "role", "created_at", "deactivated_at")
    list_filter = ("role", "store", "deactivated_at")
    search_fields = ("user__username", "user__email", "store__name")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with `retorno createstore` or the API; here they can be read and revoked."""

    list_display = ("name", "store", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = ("store", "revoked_at")
    search_fields = ("name", "prefix", "store__name")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    fields = (
        "store",
        "name",
        "prefix",
        "digest",
        "scopes",
        "revoked_at",
        "created_by",
        "created_at",
        "last_used_at",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    """Recent wrong guesses that count against their subject and address (digests only): staff
    sign-ins (scope signin) and the portal's order lookups (scope lookup). Deleting a subject's
    rows lets a locked-out user in before the window ends."""

    list_display = ("created_at", "scope", "username_digest", "address_digest")
    list_filter = ("scope",)
    search_fields = ("username_digest", "address_digest")
    readonly_fields = ("scope", "username_digest", "address_digest", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "owner", "shared", "query")
    list_filter = ("shared", "store")
    search_fields = ("name", "owner__username", "store__name")


@admin.register(StaffInvite)
class StaffInviteAdmin(admin.ModelAdmin):
    """Invitations are sent from the back office's Team page; here they can be read (the link
    itself is never stored: only its nonce)."""

    list_display = ("email", "store", "role", "sent_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role", "store")
    search_fields = ("email", "store__name")
    readonly_fields = ("nonce", "invited_by", "accepted_by", "sent_at", "accepted_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The staff actions' log: read only."""

    list_display = ("created_at", "store", "actor_label", "action", "target")
    list_filter = ("action", "store")
    search_fields = ("actor_label", "target", "action")
