from django.contrib import admin

from retorno.policies.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Versions are immutable: publish a new one through the API or the back office."""

    list_display = ("store", "version", "note", "created_by", "created_at")
    list_filter = ("store",)
    search_fields = ("note", "created_by")
    readonly_fields = ("store", "version", "document", "note", "created_by", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
