"""A store's settings kept per process: read once, forgotten at once when changed here,
read again after STORE_SETTINGS_CACHE_SECONDS when changed elsewhere, never with 0."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retorno.core import storecache
from retorno.logistics.models import CarrierAccount
from retorno.logistics.selectors import store_books_carriers
from retorno.logistics.tests.factories import make_carrier
from retorno.notifications.models import MessageTemplate, NotificationSettings
from retorno.notifications.selectors import notification_settings_kept, own_words_kept
from retorno.notifications.services import message_template_save
from retorno.stores.models import Store
from retorno.stores.selectors import store_kept

pytestmark = pytest.mark.django_db


def statements(read) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        value = read()
    return value, len(captured.captured_queries)


def test_read_once_then_kept(store):
    assert statements(lambda: store_books_carriers(store.id)) == (False, 1)
    assert statements(lambda: store_books_carriers(store.id)) == (False, 0)


def test_a_change_in_this_process_is_seen_at_once(store, other_store):
    assert store_books_carriers(store.id) is False
    assert store_books_carriers(other_store.id) is False
    account = make_carrier(store, "eco")
    assert store_books_carriers(store.id) is True  # the save dropped the store's entry
    assert statements(lambda: store_books_carriers(other_store.id)) == (False, 0)  # kept
    account.enabled = False
    account.save()
    assert store_books_carriers(store.id) is False
    make_carrier(store, "eco", enabled=True)
    CarrierAccount.objects.get(store=store, code="eco").delete()
    assert store_books_carriers(store.id) is False


def test_a_change_elsewhere_is_seen_once_the_entry_expires(store, settings, monkeypatch):
    assert store_books_carriers(store.id) is False
    make_carrier(store, "eco")
    storecache.remembered("books_carriers", store.id, lambda: False)  # another process's view
    assert store_books_carriers(store.id) is False
    later = time.monotonic() + settings.STORE_SETTINGS_CACHE_SECONDS + 0.01
    monkeypatch.setattr(storecache.time, "monotonic", lambda: later)
    assert store_books_carriers(store.id) is True


def test_zero_turns_it_off(store, settings):
    settings.STORE_SETTINGS_CACHE_SECONDS = 0
    assert statements(lambda: store_books_carriers(store.id)) == (False, 1)
    assert statements(lambda: store_books_carriers(store.id)) == (False, 1)


def test_notification_settings_are_a_copy_to_read(store):
    kept = notification_settings_kept(store)
    assert kept.sends("email", "approved")
    kept.email_enabled = False  # a caller's change stays its own
    assert notification_settings_kept(store).email_enabled is True
    NotificationSettings.objects.create(store=store, email_enabled=False)
    assert notification_settings_kept(store).sends("email", "approved") is False


def test_a_stores_own_words_are_read_once_and_seen_at_once_when_changed(store, other_store):
    assert statements(lambda: own_words_kept(store, "approved", "en")) == (None, 1)
    assert statements(lambda: own_words_kept(store, "approved", "es")) == (None, 0)
    message_template_save(
        store=store, kind="approved", language="es", subject="Hola {rma}", headline="", intro=""
    )
    assert own_words_kept(store, "approved", "es") == ("Hola {rma}", "", "")
    assert own_words_kept(store, "approved", "en") is None
    assert own_words_kept(other_store, "approved", "es") is None
    message_template_save(
        store=store, kind="approved", language="es", subject="", headline="", intro=""
    )  # all empty: back to Retorno's words (the row is deleted)
    assert own_words_kept(store, "approved", "es") is None


def test_own_words_changed_elsewhere_are_seen_once_the_entry_expires(store, settings, monkeypatch):
    assert own_words_kept(store, "approved", "en") is None
    MessageTemplate.objects.create(store=store, kind="approved", language="en", subject="Yes")
    storecache.remembered("message_templates", store.id, dict)  # another process's view
    assert own_words_kept(store, "approved", "en") is None
    later = time.monotonic() + settings.STORE_SETTINGS_CACHE_SECONDS + 0.01
    monkeypatch.setattr(storecache.time, "monotonic", lambda: later)
    assert own_words_kept(store, "approved", "en") == ("Yes", "", "")


def test_the_store_shown_by_jobs_is_read_once_and_seen_at_once_when_saved(store, other_store):
    assert statements(lambda: store_kept(store.id).name) == (store.name, 1)
    kept, count = statements(lambda: store_kept(store.id))
    assert count == 0
    kept.name = "Changed by a caller"  # a caller's copy is its own
    assert store_kept(store.id).name == store.name
    store.name = "Renamed"
    store.save()
    assert store_kept(store.id).name == "Renamed"
    assert statements(lambda: store_kept(other_store.id).name) == (other_store.name, 1)


def test_the_store_changed_elsewhere_is_seen_once_the_entry_expires(store, settings, monkeypatch):
    stale = store_kept(store.id)
    Store.objects.filter(id=store.id).update(name="Renamed elsewhere")  # no signal: elsewhere
    assert store_kept(store.id).name == stale.name
    later = time.monotonic() + settings.STORE_SETTINGS_CACHE_SECONDS + 0.01
    monkeypatch.setattr(storecache.time, "monotonic", lambda: later)
    assert store_kept(store.id).name == "Renamed elsewhere"
