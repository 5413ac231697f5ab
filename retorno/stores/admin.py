from django.contrib import admin

from retorno.stores.models import Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "currency", "default_language", "timezone", "created_at")
    search_fields = ("name", "slug")
    list_filter = ("currency", "default_language")
    prepopulated_fields = {"slug": ("name",)}
