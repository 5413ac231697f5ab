"""The queue of a daily team: assignment, timers, saved views, bulk actions with a confirmation
that names how many, labels in one PDF and exports of what is filtered."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from retorno.accounts.models import SavedView
from retorno.backoffice.tests.conftest import make_return, snapshot
from retorno.integrations.labels import render_label_pdf
from retorno.logistics.models import BookingState, Shipment
from retorno.returns.models import Return
from retorno.stores.models import Store


def rmas(response: Any) -> list[str]:
    return [r.rma for r in response.context["page"].results]


def bulk(client: Any, action: str, picked: list[Return], **extra: Any) -> Any:
    return client.post(
        reverse("backoffice:queue_bulk"),
        {"action": action, "rma": [r.rma for r in picked], **extra},
    )


# --- timers ------------------------------------------------------------------------------------


def test_a_return_knows_since_when_it_is_in_its_status(store: Store) -> None:
    before = timezone.now()
    pending = make_return(store, price="600.00")
    assert pending.status == "pending_review"
    assert pending.status_since is not None
    assert pending.status_since >= before
    from retorno.core.actors import SYSTEM
    from retorno.returns.services import return_approve

    later = timezone.now() + timedelta(hours=3)
    return_approve(store=store, rma=pending.rma, actor=SYSTEM, now=later)
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert pending.status_since == later


def test_timers_are_coloured_by_time_in_state_and_late_ones_filter(
    signed_in: Any, store: Store
) -> None:
    fresh = make_return(store, price="600.00")
    due = make_return(store, price="600.00")
    late = make_return(store, price="600.00")
    now = timezone.now()
    Return.objects.filter(pk=due.pk).update(status_since=now - timedelta(hours=10))
    Return.objects.filter(pk=late.pk).update(status_since=now - timedelta(hours=30))
    client = signed_in("agent")
    page = client.get(reverse("backoffice:queue")).content.decode()
    for ret, level in ((fresh, "ok"), (due, "due"), (late, "late")):
        row = page.split(f'data-rma="{ret.rma}"')[1].split("</tr>")[0]
        assert f"sla sla-{level}" in row
    assert rmas(client.get(reverse("backoffice:queue"), {"late": "on"})) == [late.rma]


# --- assignment ----------------------------------------------------------------------------------


def test_assign_asks_then_gives_returns_to_an_agent(
    signed_in: Any, store: Store, staff: dict[str, Any]
) -> None:
    one, two, other = make_return(store), make_return(store), make_return(store)
    client = signed_in("admin")
    asked = bulk(client, "assign", [one, two])
    assert asked.status_code == 200
    assert "Assign 2 returns" in asked.content.decode()
    assert Return.objects.filter(assignee__isnull=False).count() == 0
    agent = staff["agent"]
    done = bulk(client, "assign", [one, two], confirmed="1", assignee=str(agent.pk))
    assert done.status_code == 302
    assert set(Return.objects.filter(assignee=agent).values_list("rma", flat=True)) == {
        one.rma,
        two.rma,
    }
    mine = signed_in("agent").get(reverse("backoffice:queue"), {"assignee": "me"})
    assert sorted(rmas(mine)) == sorted([one.rma, two.rma])
    nobody = signed_in("agent").get(reverse("backoffice:queue"), {"assignee": "none"})
    assert rmas(nobody) == [other.rma]
    assert "agent.shop" in mine.content.decode()


def test_returns_go_only_to_this_store_s_deciders(
    signed_in: Any, store: Store, other_store: Store, staff: dict[str, Any]
) -> None:
    ret = make_return(store)
    elsewhere = make_return(other_store)
    client = signed_in("admin")
    for who in (staff["other_agent"], staff["warehouse"]):
        bulk(client, "assign", [ret], confirmed="1", assignee=str(who.pk))
    assert Return.objects.get(pk=ret.pk).assignee is None
    response = bulk(
        client, "assign", [ret, elsewhere], confirmed="1", assignee=str(staff["agent"].pk)
    )
    assert Return.objects.get(pk=ret.pk).assignee == staff["agent"]
    assert Return.objects.get(pk=elsewhere.pk).assignee is None
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any(elsewhere.rma in m and "not found" in m for m in shown)


# --- bulk decisions ------------------------------------------------------------------------------


def test_bulk_approve_names_how_many_then_decides_each(signed_in: Any, store: Store) -> None:
    first = make_return(store, price="600.00")
    second = make_return(store, price="600.00")
    client = signed_in("agent")
    before = snapshot()
    asked = bulk(client, "approve", [first, second])
    assert "Approve 2 returns?" in asked.content.decode()
    assert snapshot() == before  # asking changes nothing
    response = bulk(client, "approve", [first, second], confirmed="1", back="?status=open")
    assert response.status_code == 302
    assert response["Location"].endswith("/staff/returns?status=open")
    assert set(
        Return.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {"approved"}


def test_bulk_reject_leaves_decided_returns_and_says_why(signed_in: Any, store: Store) -> None:
    waiting = make_return(store, price="600.00")
    decided = make_return(store)  # approved at once by the policy
    client = signed_in("agent")
    response = client.post(
        reverse("backoffice:queue_bulk"),
        {
            "action": "reject",
            "rma": [waiting.rma, decided.rma],
            "confirmed": "1",
            "note": "Worn items",
        },
        follow=True,
    )
    page = response.content.decode()
    assert Return.objects.get(pk=waiting.pk).status == "rejected"
    assert Return.objects.get(pk=decided.pk).status == "approved"
    assert "1 return rejected." in page
    assert f"{decided.rma} was left as it was" in page


def test_bulk_actions_keep_each_role_s_permissions(signed_in: Any, store: Store) -> None:
    waiting = make_return(store, price="600.00")
    response = bulk(signed_in("warehouse"), "approve", [waiting], confirmed="1")
    assert response.status_code == 403
    assert Return.objects.get(pk=waiting.pk).status == "pending_review"


def test_bulk_without_a_tick_says_so(signed_in: Any, store: Store) -> None:
    make_return(store)
    response = signed_in("agent").post(
        reverse("backoffice:queue_bulk"), {"action": "approve"}, follow=True
    )
    assert "Tick the returns first" in response.content.decode()


def test_the_confirmation_is_in_spanish(signed_in: Any, store: Store) -> None:
    one, two = make_return(store, price="600.00"), make_return(store, price="600.00")
    client = signed_in("agent")
    client.cookies["django_language"] = "es"
    asked = bulk(client, "approve", [one, two], HTTP_ACCEPT_LANGUAGE="es")
    assert "¿Aprobar 2 devoluciones?" in asked.content.decode()


# --- labels --------------------------------------------------------------------------------------


def _carrier_hosted_label(store: Store, ret: Return) -> None:
    Shipment.objects.create(
        store=store,
        return_id=ret.pk,
        rma=ret.rma,
        reference=f"ref-{ret.pk}",
        method="pickup",
        booking_state=BookingState.BOOKED,
        tracking_number=f"TRK{ret.pk}",
        carrier_label_url="https://carrier.example/label.pdf",
        created_at=ret.created_at,
        updated_at=ret.created_at,
    )


def test_labels_of_the_selected_returns_print_as_one_pdf(signed_in: Any, store: Store) -> None:
    a, b, hosted, none = (make_return(store) for _ in range(4))
    _store_label(store, a)
    _store_label(store, b)
    _carrier_hosted_label(store, hosted)
    client = signed_in("agent")
    asked = bulk(client, "labels", [a, b, hosted, none]).content.decode()
    assert "Print 2 labels" in asked
    assert "label only at the carrier" in asked
    assert "no label yet" in asked
    response = bulk(client, "labels", [a, b, hosted, none], confirmed="1")
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2


def _store_label(store: Store, ret: Return) -> None:
    from retorno.domain.logistics.gateway import Address

    where = Address(name="Ana", line1="Calle 1", city="Madrid", postal_code="28001", country="ES")
    pdf = render_label_pdf(
        rma=ret.rma,
        tracking_number=f"TRK{ret.pk}",
        carrier_name="Sim",
        sender=where,
        recipient=where,
        qr_payload=ret.rma,
    )
    path = default_storage.save(f"labels/{store.pk}/{ret.rma}.pdf", ContentFile(pdf))
    Shipment.objects.create(
        store=store,
        return_id=ret.pk,
        rma=ret.rma,
        reference=f"ref-{ret.pk}",
        method="pickup",
        booking_state=BookingState.BOOKED,
        tracking_number=f"TRK{ret.pk}",
        label_file=path,
        created_at=ret.created_at,
        updated_at=ret.created_at,
    )


# --- saved views ---------------------------------------------------------------------------------


def test_saved_views_are_kept_per_person_or_shared(
    signed_in: Any, store: Store, staff: dict[str, Any]
) -> None:
    make_return(store, price="600.00")
    admin = signed_in("admin")
    saved = admin.post(
        reverse("backoffice:saved_view_save"),
        {"name": "Needs review", "query": "needs_review=on", "shared": "on"},
    )
    assert saved["Location"].endswith("?needs_review=on")
    admin.post(reverse("backoffice:saved_view_save"), {"name": "Mine only", "query": "assignee=me"})
    page = admin.get(reverse("backoffice:queue")).content.decode()
    assert "Needs review" in page
    assert "Mine only" in page
    agent_page = signed_in("agent").get(reverse("backoffice:queue")).content.decode()
    assert "Needs review" in agent_page
    assert "Mine only" not in agent_page
    shared = SavedView.objects.get(name="Needs review")
    # The agent cannot remove the admin's view; the admin can.
    signed_in("agent").post(reverse("backoffice:saved_view_delete", args=[shared.pk]))
    assert SavedView.objects.filter(pk=shared.pk).exists()
    signed_in("admin").post(reverse("backoffice:saved_view_delete", args=[shared.pk]))
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_a_view_without_a_name_is_refused(signed_in: Any, store: Store) -> None:
    response = signed_in("admin").post(
        reverse("backoffice:saved_view_save"), {"name": " ", "query": "late=on"}, follow=True
    )
    assert "Give the view a name" in response.content.decode()
    assert SavedView.objects.count() == 0


# --- exports -------------------------------------------------------------------------------------


def test_export_of_what_is_filtered_as_csv(
    signed_in: Any, store: Store, other_store: Store
) -> None:
    kept = make_return(store, reason="too_large", email="=cmd@example.com")
    make_return(store, reason="defective")
    make_return(other_store, reason="too_large")
    response = signed_in("agent").get(
        reverse("backoffice:queue_export"), {"reason": "too_large", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "RMA"
    assert [row[0] for row in rows[1:]] == [kept.rma]
    assert rows[1][6] == "'=cmd@example.com"  # never a formula
    assert rows[1][12] == "19.90"


def test_export_as_xlsx_keeps_amounts_as_numbers(signed_in: Any, store: Store) -> None:
    ret = make_return(store)
    response = signed_in("agent").get(reverse("backoffice:queue_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "RMA"
    assert values[1][0] == ret.rma
    assert float(values[1][12]) == pytest.approx(19.90)


def test_export_of_the_selected_returns(signed_in: Any, store: Store) -> None:
    one, _two = make_return(store), make_return(store)
    response = bulk(signed_in("agent"), "export", [one], confirmed="1", format="csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [one.rma]
