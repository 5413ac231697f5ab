"""Staff of several stores work in one at a time; the current store lives in the session."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from retorno.accounts.services import membership_grant
from retorno.backoffice.access import SESSION_KEY
from retorno.backoffice.tests.conftest import make_return
from retorno.stores.models import Store
from retorno.stores.tests.factories import StoreFactory


def test_switching_between_my_stores(client: Client, store: Store, other_store: Store) -> None:
    user = membership_grant(store=store, username="multi", email="m@x.test", role="agent").user
    membership_grant(store=other_store, username="multi", email="m@x.test", role="analyst")
    mine = make_return(store)
    theirs = make_return(other_store)
    client.force_login(user)

    home = client.get(reverse("backoffice:dashboard"))
    assert 'id="store-switcher"' in home.content.decode()
    current = home.context["staff"].store
    target = other_store if current == store else store
    response = client.post(reverse("backoffice:store_switch"), {"store": target.slug})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == target.pk

    queue = client.get(reverse("backoffice:queue"))
    expected = theirs if target == other_store else mine
    assert [r.rma for r in queue.context["page"].results] == [expected.rma]
    # The role follows the store: an analyst in "other" cannot approve there.
    client.post(reverse("backoffice:store_switch"), {"store": other_store.slug})
    refused = client.post(reverse("backoffice:return_cancel", args=[theirs.rma]), {"note": "x"})
    assert refused.status_code == 403
    client.post(reverse("backoffice:store_switch"), {"store": store.slug})
    assert client.get(reverse("backoffice:return", args=[theirs.rma])).status_code == 404
    done = client.post(reverse("backoffice:return_cancel", args=[mine.rma]), {"note": "x"})
    assert done.status_code == 302


def test_a_store_i_am_not_member_of_is_not_found(
    signed_in: Any, store: Store, other_store: Store
) -> None:
    client = signed_in("agent")
    client.get(reverse("backoffice:dashboard"))
    response = client.post(reverse("backoffice:store_switch"), {"store": other_store.slug})
    assert response.status_code == 404
    assert client.session[SESSION_KEY] == store.pk
    missing = client.post(reverse("backoffice:store_switch"), {"store": "no-such-store"})
    assert missing.status_code == 404


def test_a_tampered_session_falls_back_to_a_store_of_mine(
    signed_in: Any, store: Store, other_store: Store
) -> None:
    client = signed_in("agent")
    session = client.session
    session[SESSION_KEY] = other_store.pk
    session.save()
    response = client.get(reverse("backoffice:dashboard"))
    assert response.context["staff"].store == store


def test_superusers_see_every_store(client: Client, store: Store, other_store: Store) -> None:
    from django.contrib.auth import get_user_model

    StoreFactory(slug="third", name="Third")
    root = get_user_model().objects.create_superuser("root", "root@x.test", "pw-pw-pw-pw")
    client.force_login(root)
    staff = client.get(reverse("backoffice:dashboard")).context["staff"]
    assert {a.store.slug for a in staff.stores} == {"shop", "other", "third"}
    assert staff.role == "owner"
    assert client.post(reverse("backoffice:store_switch"), {"store": "third"}).status_code == 302


def test_sign_in_and_out(client: Client, staff: dict[str, Any]) -> None:
    page = client.get(reverse("backoffice:login"))
    assert page.status_code == 200
    wrong = client.post(reverse("backoffice:login"), {"username": "agent.shop", "password": "no"})
    assert "do not match" in wrong.content.decode()
    ok = client.post(
        reverse("backoffice:login"),
        {"username": "agent.shop", "password": "correct-horse-battery", "next": "/staff/returns"},
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/staff/returns"
    assert client.get(reverse("backoffice:queue")).status_code == 200
    out = client.post(reverse("backoffice:logout"))
    assert out.status_code == 302
    assert out["Location"] == reverse("backoffice:login")
    assert client.get(reverse("backoffice:queue")).status_code == 302
