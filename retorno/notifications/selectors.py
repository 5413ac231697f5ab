"""Reads: a return's message log for staff, and a store's notification settings."""

from __future__ import annotations

from django.db.models import QuerySet

from retorno.notifications.models import Message, NotificationSettings
from retorno.stores.models import Store


def messages_for_return(store: Store, return_id: int) -> QuerySet[Message]:
    """Every message about one return of `store`, oldest first; another store's return has none."""
    return Message.objects.for_store(store).filter(return_id=return_id).order_by("created_at", "id")


def notification_settings_for(store: Store) -> NotificationSettings:
    """The store's settings, or the defaults (unsaved) when it never changed them."""
    found = NotificationSettings.objects.filter(store=store).first()
    return found if found is not None else NotificationSettings(store=store)
