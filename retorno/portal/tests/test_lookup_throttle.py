"""The portal's order lookup is throttled as staff passwords are (retorno.accounts.services.attempts):
wrong e-mails per order number *and* address, wrong lookups per address; a burst of parallel
guesses is counted as it arrives; behind a trusted proxy each shopper counts by their own
address; and a shopper's lookups never count against a colleague's staff sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from retorno.accounts.models import SignInAttempt
from retorno.core.tests.threads import run_together
from retorno.portal.tests.conftest import make_catalog, make_shop_order
from retorno.portal.tests.test_portal import lookup
from retorno.stores.tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_a_success_clears_that_orders_wrong_tries_from_that_address_only(
    client, shop, order, settings
):
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ORDER = 3
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS = 4
    other = make_shop_order(shop, external_id="5002")
    for _ in range(2):
        assert lookup(Client(), shop, email="typo@example.com").status_code == 404
    assert lookup(Client(), shop, number=other.number, email="x@example.com").status_code == 404
    # The shopper gets it right: their two typos on 5001 stop counting.
    assert lookup(Client(), shop).status_code == 302
    assert SignInAttempt.objects.filter(scope="lookup").count() == 1  # the try on 5002
    # Three more wrong tries from this address (four with 5002's): the address is stopped,
    # whatever the order.
    for _ in range(3):
        assert lookup(Client(), shop, email="typo@example.com").status_code == 404
    assert lookup(Client(), shop).status_code == 429


def test_behind_a_trusted_proxy_each_shopper_counts_by_their_own_address(shop, order, settings):
    settings.RETORNO_TRUSTED_PROXIES = 1
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS = 3

    def through_proxy(forwarded: str, **fields):
        return Client(HTTP_X_FORWARDED_FOR=forwarded).post(
            f"/s/{shop.slug}/",
            {"number": "5001", "email": "eve@example.com", **fields},
            REMOTE_ADDR="10.0.0.2",
        )

    for _ in range(3):
        assert through_proxy("203.0.113.66").status_code == 404
    assert through_proxy("203.0.113.66").status_code == 429
    # The real shopper, behind the same proxy, is not the guesser.
    assert through_proxy("198.51.100.7", email="ana@example.com").status_code == 302


def test_a_shoppers_wrong_lookups_never_count_against_a_staff_sign_in(shop, order, settings):
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS = 30
    get_user_model().objects.create_user("marta", password="correct-horse", is_staff=True)
    for number in range(25):  # more than the sign-in's 20 per address
        lookup(Client(), shop, number=f"#{number}", address="192.0.2.5")
    signed_in = Client(REMOTE_ADDR="192.0.2.5").post(
        "/staff/login", {"username": "marta", "password": "correct-horse"}
    )
    assert signed_in.status_code == 302


THREADS = 24


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_parallel_guesses_at_one_order_never_get_more_checks_than_the_limit(settings, round_):
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ORDER = 5
    settings.PORTAL_LOOKUP_ATTEMPTS_PER_ADDRESS = 1000
    shop = StoreFactory(slug=f"race{round_}")
    make_catalog(shop)
    make_shop_order(shop)

    def guess(index: int) -> int:
        return lookup(Client(), shop, email=f"guess{index}@example.com").status_code

    results = run_together(guess, THREADS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert set(results) <= {404, 429}
    assert results.count(404) <= 5, f"{results.count(404)} guesses were checked, the limit is 5"
    assert lookup(Client(), shop).status_code == 429  # the right e-mail waits too, from here
    assert lookup(Client(), shop, address="198.51.100.9").status_code == 302  # not elsewhere
