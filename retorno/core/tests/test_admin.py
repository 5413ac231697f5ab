"""Every model of Retorno is in the Django admin (as a page or inside its parent's page), and
every admin page lists, filters and searches without error."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse


def _inline_models() -> set[type]:
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


def test_every_model_is_in_the_admin() -> None:
    shown = set(admin.site._registry) | _inline_models()
    missing = [
        model.__name__
        for model in apps.get_models()
        if model.__module__.startswith("retorno.") and model not in shown
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_list_renders_with_its_filters_and_search(client, store) -> None:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(user)
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("retorno."):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        if model_admin.search_fields:
            assert client.get(url, {"q": "x"}).status_code == 200, url
