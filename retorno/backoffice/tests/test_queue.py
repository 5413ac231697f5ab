"""The returns queue: filters, search, order, pagination and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from retorno.backoffice.tests.conftest import make_return
from retorno.returns.models import Return
from retorno.returns.selectors import queue
from retorno.stores.models import Store


def rmas(response: Any) -> list[str]:
    return [r.rma for r in response.context["page"].results]


@pytest.fixture
def mix(store: Store, other_store: Store) -> dict[str, Return]:
    now = timezone.now()
    returns = {
        "review": make_return(store, price="600.00", reason="defective", number="7001"),
        "gold": make_return(
            store, tier="gold", email="Gold@Example.com", resolution="store_credit"
        ),
        "drop": make_return(store, method="drop_off", reason="too_large"),
        "old": make_return(store, resolution="exchange"),
        "elsewhere": make_return(other_store, number="7001"),
    }
    Return.objects.filter(pk=returns["old"].pk).update(created_at=now - timedelta(days=20))
    Return.objects.filter(pk=returns["drop"].pk).update(created_at=now - timedelta(days=5))
    return returns


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["review", "old", "drop", "gold"]),  # review first, then oldest
        ({"needs_review": "on"}, ["review"]),
        ({"status": "approved"}, ["old", "drop", "gold"]),
        ({"status": "open"}, ["review", "old", "drop", "gold"]),
        ({"status": "closed"}, []),
        ({"reason": "too_large"}, ["drop"]),
        ({"method": "drop_off"}, ["drop"]),
        ({"resolution": "store_credit"}, ["gold"]),
        ({"tier": "gold"}, ["gold"]),
        ({"age": "0-2"}, ["review", "gold"]),
        ({"age": "3-7"}, ["drop"]),
        ({"age": "15-30"}, ["old"]),
        ({"age": "31+"}, []),
        ({"q": "7001"}, ["review"]),  # order number, never another store's
        ({"q": "#7001"}, ["review"]),
        ({"q": "gold@example.COM"}, ["gold"]),
        ({"q": "tracking-unknown"}, []),
        ({"status": "bogus", "age": "forever"}, ["review", "old", "drop", "gold"]),
    ],
)
def test_filters_and_search(
    query: dict[str, str], expected: list[str], signed_in: Any, mix: dict[str, Return]
) -> None:
    response = signed_in("agent").get(reverse("backoffice:queue"), query)
    assert response.status_code == 200
    assert rmas(response) == [mix[name].rma for name in expected]


def test_search_by_rma_forgives_case_and_spaces(signed_in: Any, mix: dict[str, Return]) -> None:
    typed = " " + mix["drop"].rma.lower() + " "
    response = signed_in("agent").get(reverse("backoffice:queue"), {"q": typed})
    assert rmas(response) == [mix["drop"].rma]


def test_invalid_filters_are_reported(signed_in: Any, mix: dict[str, Return]) -> None:
    response = signed_in("agent").get(reverse("backoffice:queue"), {"status": "bogus"})
    assert "were not valid and were ignored" in response.content.decode()


def test_pagination_keeps_the_filters(signed_in: Any, store: Store) -> None:
    for _ in range(27):
        make_return(store, method="drop_off")
    make_return(store)
    client = signed_in("agent")
    first = client.get(reverse("backoffice:queue"), {"method": "drop_off"})
    page = first.context["page"]
    assert (page.total, page.more) == (27, False)
    assert len(rmas(first)) == 25
    assert page.previous_cursor is None
    assert f"method=drop_off&amp;after={page.next_cursor}" in first.content.decode()
    second = client.get(
        reverse("backoffice:queue"), {"method": "drop_off", "after": page.next_cursor}
    )
    assert len(rmas(second)) == 2
    assert not set(rmas(first)) & set(rmas(second))
    assert second.context["page"].next_cursor is None
    back = client.get(
        reverse("backoffice:queue"),
        {"method": "drop_off", "before": second.context["page"].previous_cursor},
    )
    assert rmas(back) == rmas(first)
    assert back.context["page"].previous_cursor is None
    # A cursor that is not one (an old link, a typo) shows the first page, not an error.
    broken = client.get(reverse("backoffice:queue"), {"method": "drop_off", "after": "nope"})
    assert rmas(broken) == rmas(first)


def test_the_count_stops_at_its_cap(
    signed_in: Any, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue, "QUEUE_COUNT_CAP", 3)
    for _ in range(5):
        make_return(store)
    response = signed_in("agent").get(reverse("backoffice:queue"))
    page = response.context["page"]
    assert (page.total, page.more) == (3, True)
    assert "More than 3 returns" in response.content.decode()
    assert len(rmas(response)) == 5


def test_pages_follow_the_queue_order_across_its_groups(signed_in: Any, store: Store) -> None:
    """Review first, then other open returns, then finished ones, oldest first in each; the
    pages walked with the cursor list every return once, in that order."""
    now = timezone.now()
    made = []
    for i in range(9):
        ret = make_return(store, price="600.00" if i % 3 == 0 else "20.00")
        made.append(ret)
        Return.objects.filter(pk=ret.pk).update(created_at=now - timedelta(hours=i))
    Return.objects.filter(pk__in=[made[1].pk, made[4].pk]).update(status="closed")
    expected = [
        r.rma
        for r in sorted(
            Return.objects.filter(store=store),
            key=lambda r: (r.queue_rank, r.created_at, r.id),
        )
    ]
    assert expected[-2:] == [made[4].rma, made[1].rma]
    assert Return.objects.get(pk=made[0].pk).queue_rank == 0
    client = signed_in("agent")
    seen: list[str] = []
    after = ""
    for _ in range(5):
        page = client.get(reverse("backoffice:queue"), {"after": after} if after else {})
        seen += rmas(page)
        after = page.context["page"].next_cursor
        if after is None:
            break
    # 25 per page: one page. Walk it again two at a time through the selector.
    assert seen == expected
    walked: list[str] = []
    cursor = None
    for _ in range(10):
        result = queue.return_queue_for_store(
            store=store, filters=queue.ReturnQueueFilters(), now=now, after=cursor, per_page=2
        )
        walked += [r.rma for r in result.results]
        cursor = result.next_cursor
        if cursor is None:
            break
    assert walked == expected


def test_queue_query_count_does_not_grow_with_rows(
    signed_in: Any, store: Store, django_assert_max_num_queries: Any
) -> None:
    client = signed_in("agent")
    make_return(store, tier="gold")
    client.get(reverse("backoffice:queue"))  # warm the session
    # Session, user, memberships, tiers, the saved views and the people to assign to (one
    # statement), count, page, items, comment readings.
    with django_assert_max_num_queries(9):
        small = client.get(reverse("backoffice:queue"), {"status": "open"})
    for i in range(20):
        make_return(store, tier="silver" if i % 2 else "gold", reason="defective")
    with django_assert_max_num_queries(9):
        large = client.get(reverse("backoffice:queue"), {"status": "open"})
    assert len(rmas(small)) == 1
    assert len(rmas(large)) == 21


def test_return_page_query_count(
    signed_in: Any, pending: Return, django_assert_max_num_queries: Any
) -> None:
    client = signed_in("agent")
    # 10, plus the Money card's refunds and charges, plus what the items' comments read as,
    # plus the customer's 12-month history that the abuse signals read (9, whatever its size).
    with django_assert_max_num_queries(22):
        assert client.get(reverse("backoffice:return", args=[pending.rma])).status_code == 200


def test_dashboard_counts_this_store_only(signed_in: Any, mix: dict[str, Return]) -> None:
    response = signed_in("agent").get(reverse("backoffice:dashboard"))
    board = response.context["board"]
    assert board.counts_by_status == {"pending_review": 1, "approved": 3}
    assert board.needs_review == 1
    assert board.open_total == 4
    assert board.oldest_open[0].rma == mix["old"].rma


def test_the_tier_filter_lists_each_tier_once(signed_in: Any, store: Store) -> None:
    """Several returns of one tier (one customer's and another's) give one option, not one each."""
    for _ in range(3):
        make_return(store, tier="gold", email="ana@example.com")
    make_return(store, tier="gold", email="bea@example.com")
    make_return(store, tier="silver", email="carla@example.com")
    make_return(store, email="dora@example.com")
    response = signed_in("agent").get(reverse("backoffice:queue"))
    tiers = [code for code, _label in response.context["form"].fields["tier"].choices if code]
    assert tiers == ["gold", "silver"]


def test_tiers_are_named_in_the_staff_members_language(signed_in: Any, store: Store) -> None:
    make_return(store, tier="gold", email="ana@example.com")
    response = signed_in("agent").get(reverse("backoffice:queue"), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert '<option value="gold">Oro</option>' in html
    assert '<span class="tier">Oro</span>' in html
    translation.activate("en")  # the page left Spanish active in this thread


def test_the_dashboard_counts_every_return_exactly(signed_in: Any, store: Store) -> None:
    """No cap: the counts come from the status tally, equal to a recount of the returns."""
    for _ in range(3):
        make_return(store)
    make_return(store, price="600.00")
    for _ in range(2):
        Return.objects.filter(pk=make_return(store).pk).update(status="closed")
    response = signed_in("agent").get(reverse("backoffice:dashboard"))
    board = response.context["board"]
    assert board.counts_by_status == {"approved": 3, "pending_review": 1, "closed": 2}
    assert board.open_total == 4
    assert '<td class="num" data-status="closed">2</td>' in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ana.lopez", ["ana"]),  # inside an e-mail
        ("Lopez Ga", ["ana"]),  # inside a name, any case
        ("8800", ["bea"]),  # inside an order number
        ("trk-77", ["bea"]),  # inside a tracking number
        ("zz", []),  # too short to look inside values
    ],
)
def test_search_finds_text_inside_values(
    signed_in: Any, store: Store, other_store: Store, typed: str, expected: list[str]
) -> None:
    from retorno.logistics.models import Shipment

    made = {
        "ana": make_return(store, email="ana.lopez@example.com"),
        "bea": make_return(store, email="bea@example.com", number="188001"),
    }
    make_return(other_store, email="ana.lopez@example.com", number="188002")
    made["ana"].customer.__class__.objects.filter(pk=made["ana"].customer_id).update(
        name="Ana Lopez Garcia"
    )
    ret = made["bea"]
    Shipment.objects.create(
        store=store,
        return_id=ret.pk,
        rma=ret.rma,
        reference="ref-1",
        method="drop_off",
        tracking_number="TRK-7781",
        created_at=ret.created_at,
        updated_at=ret.created_at,
    )
    response = signed_in("agent").get(reverse("backoffice:queue"), {"q": typed})
    assert rmas(response) == [made[name].rma for name in expected]
